#include "dialects/gemini/generate_request.h"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <map>

#include "core/json_fields.h"
#include "core/json_parse.h"

namespace switchyard::gemini {
namespace json = boost::json;
using json_fields::index_path;
using json_fields::join_path;

namespace {

constexpr std::string_view kDialect = "gemini";

constexpr std::string_view kKnownMembers[] = {"contents", "systemInstruction", "system_instruction", "tools",
                                              "toolConfig", "tool_config", "generationConfig", "generation_config",
                                              "model"};

bool is_known_member(std::string_view key) {
  for (std::string_view known : kKnownMembers) {
    if (known == key) return true;
  }
  return false;
}

GatewayError invalid(std::string message, std::string param = {}) {
  return make_error(ErrorKind::invalid_request, std::move(message), "INVALID_ARGUMENT", std::move(param));
}

// proto3 JSON accepts both lowerCamelCase and snake_case member names.
const json::value* member(const json::object& object, std::string_view camel, std::string_view snake) {
  const json::value* value = object.if_contains(camel);
  if (!value) value = object.if_contains(snake);
  return value && !value->is_null() ? value : nullptr;
}

// Gemini's Schema is OpenAPI 3.0 with upper-case type names; other providers want JSON Schema.
json::value schema_to_json_schema(const json::value& schema) {
  if (schema.is_array()) {
    json::array out;
    for (const json::value& item : schema.get_array()) out.push_back(schema_to_json_schema(item));
    return out;
  }
  if (!schema.is_object()) return schema;
  json::object out;
  for (const auto& [key, value] : schema.get_object()) {
    if (key == "type" && value.is_string()) {
      std::string lower(value.get_string());
      for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      out[key] = lower;
    } else if (key == "propertyOrdering") {
      continue;  // Gemini-only ordering hint
    } else {
      out[key] = schema_to_json_schema(value);
    }
  }
  return out;
}

std::string call_id(std::size_t turn, std::size_t k) { return "call_" + std::to_string(turn) + "_" + std::to_string(k); }

}  // namespace

Status inspect_generate_request(std::string_view body) {
  json::error_code ec;
  json::value parsed = json_fields::parse_in_arena(body, ec);
  if (ec || !parsed.is_object()) return invalid("Invalid JSON payload received.");
  const json::value* contents = parsed.get_object().if_contains("contents");
  if (!contents || !contents->is_array() || contents->get_array().empty()) {
    return invalid("* GenerateContentRequest.contents: contents is not specified", "contents");
  }
  return Done{};
}

Result<canonical::Request> decode_generate_request(std::string_view body, std::string_view model, bool stream) {
  json::error_code ec;
  json::value parsed = json_fields::parse_in_arena(body, ec);
  if (ec || !parsed.is_object()) return invalid("Invalid JSON payload received.");
  const json::object& root = parsed.get_object();
  json_fields::Reader reader;
  canonical::Request out;
  out.model = std::string(model);
  out.stream = stream;
  out.include_usage = true;

  if (const json::value* system = member(root, "systemInstruction", "system_instruction"); system && system->is_object()) {
    canonical::Message message{canonical::Role::system, {}};
    if (const json::value* parts = system->get_object().if_contains("parts"); parts && parts->is_array()) {
      for (const json::value& part : parts->get_array()) {
        if (part.is_object()) message.content.push_back(canonical::TextBlock{json_fields::string_or_empty(part.get_object(), "text")});
      }
    }
    out.messages.push_back(std::move(message));
  }

  const json::value* contents = root.if_contains("contents");
  if (!contents || !contents->is_array() || contents->get_array().empty()) {
    return invalid("* GenerateContentRequest.contents: contents is not specified", "contents");
  }
  // Function calls without ids get synthesized ones; responses are matched to them by name
  // in the order the calls were made.
  std::multimap<std::string, std::string> pending_calls;
  std::size_t turn = 0;
  for (const json::value& item : contents->get_array()) {
    std::string at = index_path("contents", turn);
    const json::object* content = item.if_object();
    if (!content) return invalid("'" + at + "' must be an object", at);
    std::string role = json_fields::string_or_empty(*content, "role");
    canonical::Message message;
    if (role.empty() || role == "user") message.role = canonical::Role::user;
    else if (role == "model") message.role = canonical::Role::assistant;
    else return invalid("Please use a valid role: user, model.", join_path(at, "role"));
    const json::value* parts = content->if_contains("parts");
    if (!parts || !parts->is_array()) return invalid("'" + at + ".parts' must be an array", join_path(at, "parts"));
    std::size_t k = 0;
    for (const json::value& part_value : parts->get_array()) {
      std::string part_path = index_path(join_path(at, "parts"), k);
      const json::object* part = part_value.if_object();
      if (!part) return invalid("'" + part_path + "' must be an object", part_path);
      bool thought = part->contains("thought") && part->at("thought").is_bool() && part->at("thought").get_bool();
      if (const json::value* text = part->if_contains("text"); text && text->is_string()) {
        if (thought) {
          message.content.push_back(canonical::ThinkingBlock{std::string(text->get_string()), json_fields::string_or_empty(*part, "thoughtSignature"), {}});
        } else {
          message.content.push_back(canonical::TextBlock{std::string(text->get_string())});
        }
      } else if (const json::value* inline_data = member(*part, "inlineData", "inline_data"); inline_data && inline_data->is_object()) {
        const json::object& data = inline_data->get_object();
        std::string mime = json_fields::string_or_empty(data, "mimeType");
        if (mime.empty()) mime = json_fields::string_or_empty(data, "mime_type");
        message.content.push_back(canonical::ImageBlock{mime, json_fields::string_or_empty(data, "data"), {}});
      } else if (const json::value* file = member(*part, "fileData", "file_data"); file && file->is_object()) {
        std::string uri = json_fields::string_or_empty(file->get_object(), "fileUri");
        if (uri.empty()) uri = json_fields::string_or_empty(file->get_object(), "file_uri");
        message.content.push_back(canonical::ImageBlock{json_fields::string_or_empty(file->get_object(), "mimeType"), {}, uri});
      } else if (const json::value* call = member(*part, "functionCall", "function_call"); call && call->is_object()) {
        const json::object& fields = call->get_object();
        canonical::ToolCallBlock block;
        block.name = json_fields::string_or_empty(fields, "name");
        block.id = json_fields::string_or_empty(fields, "id");
        if (block.id.empty()) block.id = call_id(turn, k);
        const json::value* args = fields.if_contains("args");
        block.arguments = args && !args->is_null() ? json::serialize(*args) : "{}";
        pending_calls.emplace(block.name, block.id);
        message.content.push_back(std::move(block));
      } else if (const json::value* response = member(*part, "functionResponse", "function_response");
                 response && response->is_object()) {
        const json::object& fields = response->get_object();
        canonical::ToolResultBlock result;
        result.name = json_fields::string_or_empty(fields, "name");
        result.tool_call_id = json_fields::string_or_empty(fields, "id");
        if (auto match = pending_calls.find(result.name); match != pending_calls.end()) {
          if (result.tool_call_id.empty()) result.tool_call_id = match->second;
          pending_calls.erase(match);
        }
        if (result.tool_call_id.empty()) result.tool_call_id = "call_" + result.name;
        const json::value* payload = fields.if_contains("response");
        result.content.emplace_back(canonical::TextBlock{payload ? json::serialize(*payload) : "{}"});
        if (payload && payload->is_object() && payload->get_object().contains("error")) result.is_error = true;
        message.content.push_back(std::move(result));
      } else {
        return invalid("parts of this kind can only be sent to Gemini (" + part_path + ")", part_path);
      }
      ++k;
    }
    out.messages.push_back(std::move(message));
    ++turn;
  }

  if (const json::array* tools = reader.array(root, "tools", "")) {
    std::size_t i = 0;
    for (const json::value& tool_value : *tools) {
      std::string at = index_path("tools", i++);
      const json::object* tool = tool_value.if_object();
      const json::value* declarations = tool ? member(*tool, "functionDeclarations", "function_declarations") : nullptr;
      if (!declarations || !declarations->is_array() || tool->size() != 1) {
        return invalid("only functionDeclarations tools can be sent to a non-Gemini provider (" + at + ")", at);
      }
      for (const json::value& declaration : declarations->get_array()) {
        if (!declaration.is_object()) continue;
        const json::object& fields = declaration.get_object();
        canonical::Tool decoded;
        decoded.name = json_fields::string_or_empty(fields, "name");
        decoded.description = json_fields::string_or_empty(fields, "description");
        if (const json::value* schema = fields.if_contains("parametersJsonSchema")) decoded.parameters = *schema;
        else if (const json::value* legacy = fields.if_contains("parameters")) decoded.parameters = schema_to_json_schema(*legacy);
        out.tools.push_back(std::move(decoded));
      }
    }
  }
  if (const json::value* config = member(root, "toolConfig", "tool_config"); config && config->is_object()) {
    const json::value* calling = member(config->get_object(), "functionCallingConfig", "function_calling_config");
    if (calling && calling->is_object()) {
      using Mode = canonical::ToolChoice::Mode;
      std::string mode = json_fields::string_or_empty(calling->get_object(), "mode");
      const json::value* allowed = member(calling->get_object(), "allowedFunctionNames", "allowed_function_names");
      if (mode == "AUTO") out.tool_choice.mode = Mode::automatic;
      else if (mode == "NONE") out.tool_choice.mode = Mode::none;
      else if (mode == "ANY" || mode == "VALIDATED") {
        out.tool_choice.mode = Mode::required;
        if (allowed && allowed->is_array() && allowed->get_array().size() == 1 && allowed->get_array()[0].is_string()) {
          out.tool_choice.mode = Mode::specific;
          out.tool_choice.name = std::string(allowed->get_array()[0].get_string());
        }
      }
    }
  }
  if (const json::value* generation = member(root, "generationConfig", "generation_config"); generation && generation->is_object()) {
    const json::object& config = generation->get_object();
    canonical::Sampling& sampling = out.sampling;
    sampling.temperature = reader.number(config, "temperature", "generationConfig");
    sampling.top_p = reader.number(config, "topP", "generationConfig");
    sampling.top_k = reader.integer(config, "topK", "generationConfig");
    sampling.max_tokens = reader.integer(config, "maxOutputTokens", "generationConfig");
    sampling.seed = reader.integer(config, "seed", "generationConfig");
    sampling.candidate_count = reader.integer(config, "candidateCount", "generationConfig");
    sampling.presence_penalty = reader.number(config, "presencePenalty", "generationConfig");
    sampling.frequency_penalty = reader.number(config, "frequencyPenalty", "generationConfig");
    if (const json::array* stops = reader.array(config, "stopSequences", "generationConfig")) {
      for (const json::value& stop : *stops) {
        if (stop.is_string()) sampling.stop.emplace_back(stop.get_string());
      }
    }
    std::string mime = json_fields::string_or_empty(config, "responseMimeType");
    using Kind = canonical::ResponseFormat::Kind;
    if (const json::value* schema = config.if_contains("responseJsonSchema")) {
      out.response_format.kind = Kind::json_schema;
      out.response_format.schema = *schema;
    } else if (const json::value* legacy = config.if_contains("responseSchema")) {
      out.response_format.kind = Kind::json_schema;
      out.response_format.schema = schema_to_json_schema(*legacy);
    } else if (mime == "application/json") {
      out.response_format.kind = Kind::json_object;
    }
    if (out.response_format.kind == Kind::json_schema) out.response_format.name = "response";
    if (const json::object* thinking = reader.object(config, "thinkingConfig", "generationConfig")) {
      out.thinking.budget_tokens = reader.integer(*thinking, "thinkingBudget", "generationConfig.thinkingConfig");
      out.thinking.enabled = out.thinking.budget_tokens.value_or(0) > 0;
    }
    for (const auto& [key, value] : config) {
      static constexpr std::string_view kMapped[] = {"temperature", "topP", "topK", "maxOutputTokens", "seed",
                                                     "candidateCount", "presencePenalty", "frequencyPenalty",
                                                     "stopSequences", "responseMimeType", "responseJsonSchema",
                                                     "responseSchema", "thinkingConfig"};
      if (std::find(std::begin(kMapped), std::end(kMapped), key) == std::end(kMapped) && !value.is_null()) {
        out.extensions.emplace("generationConfig." + std::string(key), value);
      }
    }
  }
  for (const auto& [key, value] : root) {
    if (!is_known_member(key) && !value.is_null()) out.extensions.emplace(key, value);
  }
  if (!reader.ok()) return *reader.error();
  return out;
}

Result<std::string> encode_generate_request(const canonical::Request& request, const canonical::EncodeOptions& options) {
  canonical::Unsupported unsupported(options);
  json::object body;
  json::array system_parts;
  json::array contents;
  std::map<std::string, std::string> call_names;  // tool call id -> function name
  for (const canonical::Message& message : request.messages) {
    if (message.role == canonical::Role::system) {
      for (const auto& block : message.content) {
        if (auto* text = std::get_if<canonical::TextBlock>(&block); text && !text->text.empty()) {
          system_parts.push_back(json::object{{"text", text->text}});
        }
      }
      continue;
    }
    json::array responses;  // functionResponse parts lead their user turn
    json::array parts;
    for (const auto& block : message.content) {
      if (auto* text = std::get_if<canonical::TextBlock>(&block)) {
        if (!text->text.empty()) parts.push_back(json::object{{"text", text->text}});
      } else if (auto* image = std::get_if<canonical::ImageBlock>(&block)) {
        if (!image->url.empty()) {
          // Gemini fetches only files it hosts; Switchyard does not fetch arbitrary URLs.
          if (!image->url.starts_with("gs://") && image->url.find("generativelanguage.googleapis.com") == std::string::npos) {
            return invalid("image URLs cannot be sent to provider '" + options.provider +
                               "' (gemini API takes inline base64 images or files it hosts); send the image as a base64 data URL",
                           "messages");
          }
          json::object file{{"fileUri", image->url}};
          if (!image->media_type.empty()) file["mimeType"] = image->media_type;
          parts.push_back(json::object{{"fileData", std::move(file)}});
        } else {
          parts.push_back(json::object{{"inlineData", json::object{{"mimeType", image->media_type}, {"data", image->data}}}});
        }
      } else if (auto* call = std::get_if<canonical::ToolCallBlock>(&block)) {
        json::error_code ec;
        json::value args = json::parse(call->arguments.empty() ? std::string_view("{}") : std::string_view(call->arguments), ec);
        if (ec || !args.is_object()) return invalid("the arguments of tool call '" + call->id + "' are not a JSON object", "messages");
        call_names[call->id] = call->name;
        parts.push_back(json::object{{"functionCall", json::object{{"name", call->name}, {"args", std::move(args)}}}});
      } else if (auto* result = std::get_if<canonical::ToolResultBlock>(&block)) {
        std::string name = result->name;
        if (name.empty()) {
          auto found = call_names.find(result->tool_call_id);
          if (found == call_names.end()) {
            return invalid("tool result '" + result->tool_call_id + "' answers no tool call in the conversation", "messages");
          }
          name = found->second;
        }
        std::string text;
        for (const auto& part : result->content) {
          if (auto* piece = std::get_if<canonical::TextBlock>(&part)) text += piece->text;
        }
        // functionResponse.response must be an object.
        json::error_code ec;
        json::value payload = json::parse(text, ec);
        if (ec || !payload.is_object()) payload = json::object{{result->is_error ? "error" : "result", text}};
        responses.push_back(json::object{{"functionResponse", json::object{{"name", name}, {"response", std::move(payload)}}}});
      }
      // Thinking from other vendors cannot be replayed to Gemini.
    }
    for (auto& part : parts) responses.push_back(std::move(part));
    if (responses.empty()) continue;
    std::string role = message.role == canonical::Role::assistant ? "model" : "user";
    if (!contents.empty() && contents.back().as_object().at("role").as_string() == role) {
      json::array& previous = contents.back().as_object().at("parts").as_array();
      for (auto& part : responses) previous.push_back(std::move(part));
    } else {
      contents.push_back(json::object{{"role", role}, {"parts", std::move(responses)}});
    }
  }
  if (!contents.empty() && contents.back().as_object().at("role").as_string() == "model" &&
      !unsupported.note("assistant prefill (a conversation ending with an assistant turn)", kDialect)) {
    return *unsupported.error();
  }
  if (!system_parts.empty()) body["systemInstruction"] = json::object{{"parts", std::move(system_parts)}};
  body["contents"] = std::move(contents);

  if (!request.tools.empty()) {
    json::array declarations;
    for (const canonical::Tool& tool : request.tools) {
      json::object declaration{{"name", tool.name}};
      if (!tool.description.empty()) declaration["description"] = tool.description;
      // parametersJsonSchema takes real JSON Schema, with no OpenAPI-subset conversion.
      if (tool.parameters.is_object()) declaration["parametersJsonSchema"] = tool.parameters;
      declarations.push_back(std::move(declaration));
    }
    body["tools"] = json::array{json::object{{"functionDeclarations", std::move(declarations)}}};
    using Mode = canonical::ToolChoice::Mode;
    json::object calling;
    switch (request.tool_choice.mode) {
      case Mode::unset: break;
      case Mode::automatic: calling["mode"] = "AUTO"; break;
      case Mode::none: calling["mode"] = "NONE"; break;
      case Mode::required: calling["mode"] = "ANY"; break;
      case Mode::specific:
        calling["mode"] = "ANY";
        calling["allowedFunctionNames"] = json::array{json::string(request.tool_choice.name)};
        break;
    }
    if (!calling.empty()) body["toolConfig"] = json::object{{"functionCallingConfig", std::move(calling)}};
  }

  json::object generation;
  const canonical::Sampling& sampling = request.sampling;
  if (sampling.temperature) generation["temperature"] = *sampling.temperature;
  if (sampling.top_p) generation["topP"] = *sampling.top_p;
  if (sampling.top_k) generation["topK"] = *sampling.top_k;
  if (sampling.max_tokens) generation["maxOutputTokens"] = *sampling.max_tokens;
  if (sampling.seed) generation["seed"] = *sampling.seed;
  if (sampling.candidate_count) generation["candidateCount"] = *sampling.candidate_count;
  if (sampling.presence_penalty) generation["presencePenalty"] = *sampling.presence_penalty;
  if (sampling.frequency_penalty) generation["frequencyPenalty"] = *sampling.frequency_penalty;
  if (!sampling.stop.empty()) {
    json::array stops;
    for (const auto& stop : sampling.stop) stops.emplace_back(stop);
    generation["stopSequences"] = std::move(stops);
  }
  using Kind = canonical::ResponseFormat::Kind;
  if (request.response_format.kind != Kind::text) generation["responseMimeType"] = "application/json";
  if (request.response_format.kind == Kind::json_schema && request.response_format.schema.is_object()) {
    generation["responseJsonSchema"] = request.response_format.schema;
  }
  if (request.thinking.enabled) {
    std::int64_t budget = request.thinking.budget_tokens.value_or(0);
    if (!budget) {
      const std::string& effort = request.thinking.effort;
      budget = effort == "low" ? 1024 : effort == "high" ? 16384 : 4096;
    }
    generation["thinkingConfig"] = json::object{{"thinkingBudget", budget}};
  }
  if (!generation.empty()) body["generationConfig"] = std::move(generation);
  if (!request.user.empty() && !unsupported.note("user", kDialect)) return *unsupported.error();
  for (const auto& extension : request.extensions) {
    if (!unsupported.note(extension.key(), kDialect)) return *unsupported.error();
  }
  return json::serialize(body);
}

}  // namespace switchyard::gemini
