#include "dialects/gemini/generate_request.h"

#include <boost/json/serialize.hpp>
#include <map>

#include "core/json_fields.h"
#include "core/json_parse.h"
#include "core/json_top_members.h"
#include "core/json_writer.h"
#include "dialects/merged_turns.h"

namespace switchyard::gemini {
namespace json = boost::json;
using json_fields::index_path;
using json_fields::join_path;

namespace {

constexpr std::string_view kDialect = "gemini";

constexpr std::string_view kKnownMembers[] = {"contents", "systemInstruction", "system_instruction", "tools",
                                              "toolConfig", "tool_config", "generationConfig", "generation_config",
                                              "model"};

// Members other dialects cannot express, at the value that asks for nothing (the API's default).
constexpr canonical::DocumentedDefault kDefaults[] = {{"generationConfig.responseLogprobs", false}};

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

// Whether a block becomes a part of the turn (empty texts and thinking do not).
bool becomes_part(const canonical::Block& block) {
  if (auto* text = std::get_if<canonical::TextBlock>(&block)) return !text->text.empty();
  return !std::holds_alternative<canonical::ThinkingBlock>(block);
}

std::optional<GatewayError> write_image(JsonWriter& out, const canonical::ImageBlock& image,
                                        const canonical::EncodeOptions& options) {
  if (image.url.empty()) {
    out.begin_object().key("inlineData").begin_object().member("mimeType", image.media_type).member("data", image.data);
    out.end_object().end_object();
    return std::nullopt;
  }
  // Gemini fetches only files it hosts; Switchyard does not fetch arbitrary URLs.
  if (!image.url.starts_with("gs://") && image.url.find("generativelanguage.googleapis.com") == std::string::npos) {
    return invalid("image URLs cannot be sent to provider '" + options.provider +
                       "' (gemini API takes inline base64 images or files it hosts); send the image as a base64 data URL",
                   "messages");
  }
  out.begin_object().key("fileData").begin_object().member("fileUri", image.url);
  if (!image.media_type.empty()) out.member("mimeType", image.media_type);
  out.end_object().end_object();
  return std::nullopt;
}

// A tool result as a functionResponse part; its call's name comes from the conversation
// when the result does not carry it.
std::optional<GatewayError> write_function_response(JsonWriter& out, const canonical::ToolResultBlock& result,
                                                    const std::map<std::string, std::string>& call_names) {
  std::string_view name = result.name;
  if (name.empty()) {
    auto found = call_names.find(result.tool_call_id);
    if (found == call_names.end()) {
      return invalid("tool result '" + result.tool_call_id + "' answers no tool call in the conversation", "messages");
    }
    name = found->second;
  }
  std::string text;
  for (const auto& part : result.content) {
    if (auto* piece = std::get_if<canonical::TextBlock>(&part)) text += piece->text;
  }
  out.begin_object().key("functionResponse").begin_object().member("name", name).key("response");
  // functionResponse.response must be an object.
  json::error_code ec;
  json::value payload = json_fields::parse_document(text, ec);
  if (!ec && payload.is_object()) {
    out.value(payload);
  } else {
    out.begin_object();
    if (result.is_error) {
      out.member("error", text);
    } else {
      out.member("result", text);
    }
    out.end_object();
  }
  out.end_object().end_object();
  return std::nullopt;
}

// Writes a turn's parts other than function responses.
std::optional<GatewayError> write_parts(JsonWriter& out, const canonical::Message& message,
                                        const canonical::EncodeOptions& options) {
  for (const auto& block : message.content) {
    if (auto* text = std::get_if<canonical::TextBlock>(&block)) {
      if (!text->text.empty()) out.begin_object().member("text", text->text).end_object();
    } else if (auto* image = std::get_if<canonical::ImageBlock>(&block)) {
      if (auto failed = write_image(out, *image, options)) return failed;
    } else if (auto* document = std::get_if<canonical::DocumentBlock>(&block)) {
      // Gemini reads a PDF or text file as it reads an image: inline, or a file it hosts.
      if (auto failed = write_image(out, canonical::ImageBlock{document->media_type, document->data, document->url}, options)) {
        return failed;
      }
    } else if (auto* call = std::get_if<canonical::ToolCallBlock>(&block)) {
      json::error_code ec;
      json::value args = json_fields::parse_document(call->arguments.empty() ? std::string_view("{}") : std::string_view(call->arguments), ec);
      if (ec || !args.is_object()) return invalid("the arguments of tool call '" + call->id + "' are not a JSON object", "messages");
      out.begin_object().key("functionCall").begin_object().member("name", call->name).member("args", args);
      out.end_object().end_object();
    }
    // Thinking from other vendors cannot be replayed to Gemini.
  }
  return std::nullopt;
}

// Writes systemInstruction and contents; consecutive turns of one role merge into one
// content. `turns` tells the role of the last content.
std::optional<GatewayError> write_conversation(JsonWriter& out, const canonical::Request& request,
                                               const canonical::EncodeOptions& options, MergedTurns& turns) {
  bool has_system = false;
  for (const canonical::Message& message : request.messages) {
    if (message.role != canonical::Role::system) continue;
    for (const auto& block : message.content) {
      auto* text = std::get_if<canonical::TextBlock>(&block);
      if (!text || text->text.empty()) continue;
      if (!has_system) out.key("systemInstruction").begin_object().key("parts").begin_array();
      has_system = true;
      out.begin_object().member("text", text->text).end_object();
    }
  }
  if (has_system) out.end_array().end_object();

  std::map<std::string, std::string> call_names;  // tool call id -> function name
  out.key("contents").begin_array();
  for (const canonical::Message& message : request.messages) {
    if (message.role == canonical::Role::system) continue;
    bool has_parts = false;
    for (const auto& block : message.content) {
      has_parts = has_parts || becomes_part(block);
      if (auto* call = std::get_if<canonical::ToolCallBlock>(&block)) call_names[call->id] = call->name;
    }
    if (!has_parts) continue;
    turns.enter(message.role == canonical::Role::assistant ? "model" : "user");
    // functionResponse parts lead their user turn.
    for (const auto& block : message.content) {
      auto* result = std::get_if<canonical::ToolResultBlock>(&block);
      if (!result) continue;
      if (auto failed = write_function_response(out, *result, call_names)) return failed;
    }
    if (auto failed = write_parts(out, message, options)) return failed;
  }
  turns.finish();
  out.end_array();
  return std::nullopt;
}

}  // namespace

Status inspect_generate_request(std::string_view body) {
  json_events::TopMember contents[] = {{"contents"}};
  if (!json_events::read_top_members(body, contents)) return invalid("Invalid JSON payload received.");
  if (contents[0].kind != json_events::TopMember::Kind::array || contents[0].elements == 0) {
    return invalid("* GenerateContentRequest.contents: contents is not specified", "contents");
  }
  return Done{};
}

Result<canonical::Request> decode_generate_request(std::string_view body, std::string_view model, bool stream) {
  json_fields::ParsedJson document(body);
  json::error_code ec = document.error();
  json::value& parsed = document.root();
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
  out.messages.reserve(out.messages.size() + contents->get_array().size());
  for (const json::value& item : contents->get_array()) {
    // Paths are spelled out only for an error message.
    auto at = [&turn] { return index_path("contents", turn); };
    const json::object* content = item.if_object();
    if (!content) return invalid("'" + at() + "' must be an object", at());
    const json::value* role_value = content->if_contains("role");
    std::string_view role = role_value && role_value->is_string() ? std::string_view(role_value->get_string()) : "";
    canonical::Message message;
    if (role.empty() || role == "user") message.role = canonical::Role::user;
    else if (role == "model") message.role = canonical::Role::assistant;
    else return invalid("Please use a valid role: user, model.", join_path(at(), "role"));
    const json::value* parts = content->if_contains("parts");
    if (!parts || !parts->is_array()) return invalid("'" + at() + ".parts' must be an array", join_path(at(), "parts"));
    message.content.reserve(parts->get_array().size());
    std::size_t k = 0;
    for (const json::value& part_value : parts->get_array()) {
      auto part_path = [&] { return index_path(join_path(at(), "parts"), k); };
      const json::object* part = part_value.if_object();
      if (!part) return invalid("'" + part_path() + "' must be an object", part_path());
      const json::value* thought_flag = part->if_contains("thought");
      bool thought = thought_flag && thought_flag->is_bool() && thought_flag->get_bool();
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
        // Anything but an image (a PDF, a text file) is a document to the other APIs.
        if (mime.starts_with("image/")) {
          message.content.push_back(canonical::ImageBlock{mime, json_fields::string_or_empty(data, "data"), {}});
        } else {
          message.content.push_back(canonical::DocumentBlock{mime, json_fields::string_or_empty(data, "data"), {}, {}});
        }
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
        return invalid("parts of this kind can only be sent to Gemini (" + part_path() + ")", part_path());
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
      out.thinking.show = reader.boolean(*thinking, "includeThoughts", "generationConfig.thinkingConfig").value_or(false);
    }
    for (const auto& [key, value] : config) {
      static constexpr std::string_view kMapped[] = {"temperature", "topP", "topK", "maxOutputTokens", "seed",
                                                     "candidateCount", "presencePenalty", "frequencyPenalty",
                                                     "stopSequences", "responseMimeType", "responseJsonSchema",
                                                     "responseSchema", "thinkingConfig"};
      if (std::find(std::begin(kMapped), std::end(kMapped), key) == std::end(kMapped)) {
        canonical::keep_extension(out.extensions, "generationConfig." + std::string(key), value, kDefaults);
      }
    }
  }
  for (const auto& [key, value] : root) {
    if (!is_known_member(key)) canonical::keep_extension(out.extensions, key, value, kDefaults);
  }
  if (!reader.ok()) return *reader.error();
  return out;
}

Result<std::string> encode_generate_request(const canonical::Request& request, const canonical::EncodeOptions& options) {
  canonical::Unsupported unsupported(options);
  std::string body;
  JsonWriter out(body);
  out.begin_object();
  MergedTurns turns(out, "parts");
  if (auto failed = write_conversation(out, request, options, turns)) return *failed;
  if (turns.role() == "model" && !unsupported.note("assistant prefill (a conversation ending with an assistant turn)", kDialect)) {
    return *unsupported.error();
  }

  if (!request.tools.empty()) {
    out.key("tools").begin_array().begin_object().key("functionDeclarations").begin_array();
    for (const canonical::Tool& tool : request.tools) {
      out.begin_object().member("name", tool.name);
      if (!tool.description.empty()) out.member("description", tool.description);
      // parametersJsonSchema takes real JSON Schema, with no OpenAPI-subset conversion.
      if (tool.parameters.is_object()) out.member("parametersJsonSchema", tool.parameters);
      out.end_object();
    }
    out.end_array().end_object().end_array();
    using Mode = canonical::ToolChoice::Mode;
    std::string_view mode;
    switch (request.tool_choice.mode) {
      case Mode::unset: break;
      case Mode::automatic: mode = "AUTO"; break;
      case Mode::none: mode = "NONE"; break;
      case Mode::required:
      case Mode::specific: mode = "ANY"; break;
    }
    if (!mode.empty()) {
      out.key("toolConfig").begin_object().key("functionCallingConfig").begin_object().member("mode", mode);
      if (request.tool_choice.mode == Mode::specific) {
        out.key("allowedFunctionNames").begin_array().string(request.tool_choice.name).end_array();
      }
      out.end_object().end_object();
    }
  }

  const canonical::Sampling& sampling = request.sampling;
  using Kind = canonical::ResponseFormat::Kind;
  const canonical::ResponseFormat& format = request.response_format;
  bool has_generation = sampling.temperature || sampling.top_p || sampling.top_k || sampling.max_tokens || sampling.seed ||
                        sampling.candidate_count || sampling.presence_penalty || sampling.frequency_penalty ||
                        !sampling.stop.empty() || format.kind != Kind::text || request.thinking.enabled;
  if (has_generation) {
    out.key("generationConfig").begin_object();
    if (sampling.temperature) out.member("temperature", *sampling.temperature);
    if (sampling.top_p) out.member("topP", *sampling.top_p);
    if (sampling.top_k) out.member("topK", *sampling.top_k);
    if (sampling.max_tokens) out.member("maxOutputTokens", *sampling.max_tokens);
    if (sampling.seed) out.member("seed", *sampling.seed);
    if (sampling.candidate_count) out.member("candidateCount", *sampling.candidate_count);
    if (sampling.presence_penalty) out.member("presencePenalty", *sampling.presence_penalty);
    if (sampling.frequency_penalty) out.member("frequencyPenalty", *sampling.frequency_penalty);
    if (!sampling.stop.empty()) {
      out.key("stopSequences").begin_array();
      for (const auto& stop : sampling.stop) out.string(stop);
      out.end_array();
    }
    if (format.kind != Kind::text) out.member("responseMimeType", "application/json");
    if (format.kind == Kind::json_schema && format.schema.is_object()) out.member("responseJsonSchema", format.schema);
    if (request.thinking.enabled) {
      std::int64_t budget = request.thinking.budget_tokens.value_or(0);
      if (!budget) {
        const std::string& effort = request.thinking.effort;
        budget = effort == "low" ? 1024 : effort == "high" ? 16384 : 4096;
      }
      out.key("thinkingConfig").begin_object().member("thinkingBudget", budget);
      if (request.thinking.show) out.member("includeThoughts", true);  // else Gemini keeps its thoughts to itself
      out.end_object();
    }
    out.end_object();
  }
  if (!request.user.empty() && !unsupported.note("user", kDialect)) return *unsupported.error();
  for (const auto& extension : request.extensions) {
    if (!unsupported.note(extension.key(), kDialect)) return *unsupported.error();
  }
  out.end_object();
  return body;
}

}  // namespace switchyard::gemini
