// OpenAI Chat Completions requests <-> the canonical model.
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "core/data_url.h"
#include "core/json_fields.h"
#include "core/json_parse.h"
#include "dialects/openai/chat_request.h"

namespace switchyard::openai {
namespace json = boost::json;
using json_fields::index_path;
using json_fields::join_path;

namespace {

constexpr std::string_view kDialect = "openai";

// Members this codec maps; anything else goes to extensions.
constexpr std::string_view kKnownMembers[] = {
    "model", "messages", "tools", "tool_choice", "parallel_tool_calls", "response_format", "temperature", "top_p",
    "max_tokens", "max_completion_tokens", "stop", "n", "seed", "presence_penalty", "frequency_penalty", "user",
    "stream", "stream_options", "reasoning_effort",
    "models"};  // OpenRouter's fallback list, consumed by the router

bool is_known_member(std::string_view key) {
  for (std::string_view known : kKnownMembers) {
    if (known == key) return true;
  }
  return false;
}

// Text of a string-or-text-parts content (system, developer, tool messages).
std::optional<std::string> flatten_text(const json::value& content, std::string_view path, json_fields::Reader& reader) {
  if (content.is_string()) return std::string(content.get_string());
  if (!content.is_array()) {
    reader.fail(path, "'" + std::string(path) + "' must be a string or an array of text parts");
    return std::nullopt;
  }
  std::string text;
  std::size_t i = 0;
  for (const json::value& part : content.get_array()) {
    std::string at = index_path(path, i++);
    const json::object* fields = part.if_object();
    auto type = fields ? reader.string(*fields, "type", at) : std::nullopt;
    if (!fields || type != "text") {
      reader.fail(at, "'" + at + "' must be a text part here");
      return std::nullopt;
    }
    if (auto piece = reader.string(*fields, "text", at)) text += *piece;
  }
  return text;
}

void decode_user_content(const json::value& content, std::string_view path, json_fields::Reader& reader,
                         std::vector<canonical::Block>& out) {
  if (content.is_string()) {
    out.push_back(canonical::TextBlock{std::string(content.get_string())});
    return;
  }
  if (!content.is_array()) {
    reader.fail(path, "'" + std::string(path) + "' must be a string or an array of content parts");
    return;
  }
  std::size_t i = 0;
  for (const json::value& part : content.get_array()) {
    std::string at = index_path(path, i++);
    const json::object* fields = part.if_object();
    if (!fields) {
      reader.fail(at, "'" + at + "' must be an object");
      return;
    }
    auto type = reader.string(*fields, "type", at).value_or("");
    if (type == "text") {
      out.push_back(canonical::TextBlock{reader.string(*fields, "text", at).value_or("")});
    } else if (type == "image_url") {
      const json::object* image = reader.object(*fields, "image_url", at);
      auto url = image ? reader.string(*image, "url", join_path(at, "image_url")) : std::nullopt;
      if (!url) {
        reader.fail(join_path(at, "image_url.url"), "'" + join_path(at, "image_url.url") + "' is required");
        return;
      }
      if (auto data = parse_data_url(*url)) {
        out.push_back(canonical::ImageBlock{data->media_type, data->base64_data, {}});
      } else {
        out.push_back(canonical::ImageBlock{{}, {}, *url});
      }
    } else {
      reader.fail(join_path(at, "type"), "content parts of type '" + type +
                                             "' can only be sent to OpenAI-compatible providers");
      return;
    }
  }
}

void decode_tool_calls(const json::array& calls, std::string_view path, json_fields::Reader& reader,
                       std::vector<canonical::Block>& out) {
  std::size_t i = 0;
  for (const json::value& call : calls) {
    std::string at = index_path(path, i++);
    const json::object* fields = call.if_object();
    const json::object* function = fields ? reader.object(*fields, "function", at) : nullptr;
    if (!function) {
      reader.fail(at, "'" + at + "' must be a function tool call");
      return;
    }
    canonical::ToolCallBlock block;
    block.id = reader.string(*fields, "id", at).value_or("");
    block.name = reader.string(*function, "name", join_path(at, "function")).value_or("");
    block.arguments = reader.string(*function, "arguments", join_path(at, "function")).value_or("{}");
    if (block.arguments.empty()) block.arguments = "{}";
    out.push_back(std::move(block));
  }
}

void decode_messages(const json::array& messages, json_fields::Reader& reader, canonical::Request& out) {
  std::size_t i = 0;
  for (const json::value& message : messages) {
    std::string at = index_path("messages", i++);
    const json::object* fields = message.if_object();
    if (!fields) {
      reader.fail(at, "'" + at + "' must be an object");
      return;
    }
    std::string role = reader.string(*fields, "role", at).value_or("");
    const json::value* content = fields->if_contains("content");
    bool has_content = content && !content->is_null();
    canonical::Message decoded;
    if (role == "system" || role == "developer") {
      decoded.role = canonical::Role::system;
      if (has_content) {
        if (auto text = flatten_text(*content, join_path(at, "content"), reader)) {
          decoded.content.push_back(canonical::TextBlock{*text});
        }
      }
    } else if (role == "user") {
      decoded.role = canonical::Role::user;
      if (has_content) decode_user_content(*content, join_path(at, "content"), reader, decoded.content);
    } else if (role == "assistant") {
      decoded.role = canonical::Role::assistant;
      if (has_content) {
        if (auto text = flatten_text(*content, join_path(at, "content"), reader); text && !text->empty()) {
          decoded.content.push_back(canonical::TextBlock{*text});
        }
      }
      if (const json::array* calls = reader.array(*fields, "tool_calls", at)) {
        decode_tool_calls(*calls, join_path(at, "tool_calls"), reader, decoded.content);
      }
    } else if (role == "tool") {
      decoded.role = canonical::Role::user;
      canonical::ToolResultBlock result;
      result.tool_call_id = reader.string(*fields, "tool_call_id", at).value_or("");
      if (result.tool_call_id.empty()) reader.fail(join_path(at, "tool_call_id"), "'" + at + ".tool_call_id' is required");
      if (has_content) {
        if (auto text = flatten_text(*content, join_path(at, "content"), reader)) {
          result.content.push_back(canonical::TextBlock{*text});
        }
      }
      decoded.content.push_back(std::move(result));
    } else {
      reader.fail(join_path(at, "role"), "unsupported role '" + role + "' in " + at);
      return;
    }
    out.messages.push_back(std::move(decoded));
  }
}

void decode_tools(const json::array& tools, json_fields::Reader& reader, canonical::Request& out) {
  std::size_t i = 0;
  for (const json::value& tool : tools) {
    std::string at = index_path("tools", i++);
    const json::object* fields = tool.if_object();
    auto type = fields ? reader.string(*fields, "type", at) : std::nullopt;
    const json::object* function = fields ? reader.object(*fields, "function", at) : nullptr;
    if (type != "function" || !function) {
      reader.fail(at, "only function tools can be sent to a non-OpenAI provider (" + at + ")");
      return;
    }
    canonical::Tool decoded;
    std::string fpath = join_path(at, "function");
    decoded.name = reader.string(*function, "name", fpath).value_or("");
    decoded.description = reader.string(*function, "description", fpath).value_or("");
    if (const json::value* parameters = function->if_contains("parameters")) decoded.parameters = *parameters;
    out.tools.push_back(std::move(decoded));
  }
}

void decode_tool_choice(const json::value& choice, json_fields::Reader& reader, canonical::ToolChoice& out) {
  using Mode = canonical::ToolChoice::Mode;
  if (choice.is_string()) {
    std::string_view mode = choice.get_string();
    if (mode == "auto") out.mode = Mode::automatic;
    else if (mode == "none") out.mode = Mode::none;
    else if (mode == "required") out.mode = Mode::required;
    else reader.fail("tool_choice", "'tool_choice' must be none, auto, required or a function");
    return;
  }
  const json::object* fields = choice.if_object();
  const json::object* function = fields ? reader.object(*fields, "function", "tool_choice") : nullptr;
  auto name = function ? reader.string(*function, "name", "tool_choice.function") : std::nullopt;
  if (!name) {
    reader.fail("tool_choice", "'tool_choice' must be none, auto, required or {type: function, function: {name}}");
    return;
  }
  out.mode = Mode::specific;
  out.name = *name;
}

void decode_response_format(const json::object& format, json_fields::Reader& reader, canonical::ResponseFormat& out) {
  using Kind = canonical::ResponseFormat::Kind;
  std::string type = reader.string(format, "type", "response_format").value_or("");
  if (type == "text") {
    out.kind = Kind::text;
  } else if (type == "json_object") {
    out.kind = Kind::json_object;
  } else if (type == "json_schema") {
    out.kind = Kind::json_schema;
    const json::object* schema = reader.object(format, "json_schema", "response_format");
    if (!schema) {
      reader.fail("response_format.json_schema", "'response_format.json_schema' is required");
      return;
    }
    out.name = reader.string(*schema, "name", "response_format.json_schema").value_or("response");
    out.description = reader.string(*schema, "description", "response_format.json_schema").value_or("");
    if (const json::value* body = schema->if_contains("schema")) out.schema = *body;
    out.strict = reader.boolean(*schema, "strict", "response_format.json_schema");
  } else {
    reader.fail("response_format.type", "'response_format.type' must be text, json_object or json_schema");
  }
}

json::value text_or_parts(const std::vector<canonical::Block>& blocks, bool& has_image) {
  has_image = false;
  std::size_t texts = 0;
  for (const auto& block : blocks) {
    if (std::holds_alternative<canonical::ImageBlock>(block)) has_image = true;
    if (std::holds_alternative<canonical::TextBlock>(block)) ++texts;
  }
  if (!has_image && texts == 1) {
    for (const auto& block : blocks) {
      if (auto* text = std::get_if<canonical::TextBlock>(&block)) return json::string(text->text);
    }
  }
  json::array parts;
  for (const auto& block : blocks) {
    if (auto* text = std::get_if<canonical::TextBlock>(&block)) {
      parts.push_back(json::object{{"type", "text"}, {"text", text->text}});
    } else if (auto* image = std::get_if<canonical::ImageBlock>(&block)) {
      std::string url = image->url.empty() ? make_data_url(image->media_type, image->data) : image->url;
      parts.push_back(json::object{{"type", "image_url"}, {"image_url", json::object{{"url", url}}}});
    }
  }
  return parts;
}

std::string tool_result_text(const canonical::ToolResultBlock& result) {
  std::string text;
  for (const auto& part : result.content) {
    if (auto* piece = std::get_if<canonical::TextBlock>(&part)) text += piece->text;
  }
  return text;
}

}  // namespace

Result<canonical::Request> decode_chat_request(std::string_view body) {
  json::error_code ec;
  json::value parsed = json_fields::parse_in_arena(body, ec);
  if (ec || !parsed.is_object()) {
    return make_error(ErrorKind::invalid_request, "request body is not a JSON object", "invalid_json");
  }
  const json::object& root = parsed.get_object();
  json_fields::Reader reader;
  canonical::Request out;
  out.model = reader.string(root, "model", "").value_or("");
  if (out.model.empty() && reader.ok()) reader.fail("model", "you must provide a model parameter");
  const json::array* messages = reader.array(root, "messages", "");
  if ((!messages || messages->empty()) && reader.ok()) reader.fail("messages", "'messages' must be a non-empty array");
  if (messages) decode_messages(*messages, reader, out);
  if (const json::array* tools = reader.array(root, "tools", "")) decode_tools(*tools, reader, out);
  if (const json::value* choice = root.if_contains("tool_choice"); choice && !choice->is_null()) {
    decode_tool_choice(*choice, reader, out.tool_choice);
  }
  out.tool_choice.parallel = reader.boolean(root, "parallel_tool_calls", "");
  if (const json::object* format = reader.object(root, "response_format", "")) {
    decode_response_format(*format, reader, out.response_format);
  }
  canonical::Sampling& sampling = out.sampling;
  sampling.temperature = reader.number(root, "temperature", "");
  sampling.top_p = reader.number(root, "top_p", "");
  sampling.max_tokens = reader.integer(root, "max_completion_tokens", "");
  if (!sampling.max_tokens) sampling.max_tokens = reader.integer(root, "max_tokens", "");
  sampling.seed = reader.integer(root, "seed", "");
  sampling.candidate_count = reader.integer(root, "n", "");
  sampling.presence_penalty = reader.number(root, "presence_penalty", "");
  sampling.frequency_penalty = reader.number(root, "frequency_penalty", "");
  if (const json::value* stop = root.if_contains("stop"); stop && !stop->is_null()) {
    if (stop->is_string()) {
      sampling.stop.emplace_back(stop->get_string());
    } else if (stop->is_array()) {
      for (const json::value& item : stop->get_array()) {
        if (!item.is_string()) reader.fail("stop", "'stop' must be a string or an array of strings");
        else sampling.stop.emplace_back(item.get_string());
      }
    } else {
      reader.fail("stop", "'stop' must be a string or an array of strings");
    }
  }
  out.user = reader.string(root, "user", "").value_or("");
  out.stream = reader.boolean(root, "stream", "").value_or(false);
  if (const json::object* options = reader.object(root, "stream_options", "")) {
    out.include_usage = reader.boolean(*options, "include_usage", "stream_options").value_or(false);
  }
  if (auto effort = reader.string(root, "reasoning_effort", "")) {
    out.thinking.enabled = *effort != "none" && *effort != "minimal";
    out.thinking.effort = *effort;
  }
  for (const auto& member : root) {
    if (!is_known_member(member.key()) && !member.value().is_null()) out.extensions.emplace(member.key(), member.value());
  }
  if (!reader.ok()) return *reader.error();
  return out;
}

Result<std::string> encode_chat_request(const canonical::Request& request, const canonical::EncodeOptions& options) {
  canonical::Unsupported unsupported(options);
  json::object body;
  body["model"] = options.upstream_model;

  json::array messages;
  for (const canonical::Message& message : request.messages) {
    if (message.role == canonical::Role::system) {
      bool has_image = false;
      messages.push_back(json::object{{"role", "system"}, {"content", text_or_parts(message.content, has_image)}});
      continue;
    }
    if (message.role == canonical::Role::assistant) {
      json::object out{{"role", "assistant"}};
      std::string text;
      json::array calls;
      for (const auto& block : message.content) {
        if (auto* piece = std::get_if<canonical::TextBlock>(&block)) text += piece->text;
        if (auto* call = std::get_if<canonical::ToolCallBlock>(&block)) {
          calls.push_back(json::object{{"id", call->id},
                                       {"type", "function"},
                                       {"function", json::object{{"name", call->name}, {"arguments", call->arguments}}}});
        }
        // Thinking blocks are the other vendor's private reasoning; OpenAI has no field for them.
      }
      out["content"] = text.empty() && !calls.empty() ? json::value(nullptr) : json::value(json::string(text));
      if (!calls.empty()) out["tool_calls"] = std::move(calls);
      messages.push_back(std::move(out));
      continue;
    }
    // A user turn: tool results become `tool` messages, which must directly follow the
    // assistant's calls, so they go first; the rest stays a user message.
    std::vector<canonical::Block> rest;
    for (const auto& block : message.content) {
      if (auto* result = std::get_if<canonical::ToolResultBlock>(&block)) {
        for (const auto& part : result->content) {
          if (std::holds_alternative<canonical::ImageBlock>(part) && !unsupported.note("tool_result.image", kDialect)) {
            return *unsupported.error();
          }
        }
        std::string text = tool_result_text(*result);
        if (result->is_error && text.empty()) text = "error";
        messages.push_back(json::object{{"role", "tool"}, {"tool_call_id", result->tool_call_id}, {"content", text}});
      } else if (!std::holds_alternative<canonical::ThinkingBlock>(block)) {
        rest.push_back(block);
      }
    }
    if (!rest.empty()) {
      bool has_image = false;
      messages.push_back(json::object{{"role", "user"}, {"content", text_or_parts(rest, has_image)}});
    }
  }
  body["messages"] = std::move(messages);

  if (!request.tools.empty()) {
    json::array tools;
    for (const canonical::Tool& tool : request.tools) {
      json::object function{{"name", tool.name}};
      if (!tool.description.empty()) function["description"] = tool.description;
      if (!tool.parameters.is_null()) function["parameters"] = tool.parameters;
      tools.push_back(json::object{{"type", "function"}, {"function", std::move(function)}});
    }
    body["tools"] = std::move(tools);
  }
  using Mode = canonical::ToolChoice::Mode;
  switch (request.tool_choice.mode) {
    case Mode::unset: break;
    case Mode::automatic: body["tool_choice"] = "auto"; break;
    case Mode::none: body["tool_choice"] = "none"; break;
    case Mode::required: body["tool_choice"] = "required"; break;
    case Mode::specific:
      body["tool_choice"] = json::object{{"type", "function"}, {"function", json::object{{"name", request.tool_choice.name}}}};
      break;
  }
  if (request.tool_choice.parallel && !request.tools.empty()) body["parallel_tool_calls"] = *request.tool_choice.parallel;

  using Kind = canonical::ResponseFormat::Kind;
  if (request.response_format.kind == Kind::json_object) {
    body["response_format"] = json::object{{"type", "json_object"}};
  } else if (request.response_format.kind == Kind::json_schema) {
    json::object schema{{"name", request.response_format.name}, {"schema", request.response_format.schema}};
    if (!request.response_format.description.empty()) schema["description"] = request.response_format.description;
    if (request.response_format.strict) schema["strict"] = *request.response_format.strict;
    body["response_format"] = json::object{{"type", "json_schema"}, {"json_schema", std::move(schema)}};
  }

  const canonical::Sampling& sampling = request.sampling;
  if (sampling.temperature) body["temperature"] = *sampling.temperature;
  if (sampling.top_p) body["top_p"] = *sampling.top_p;
  if (sampling.top_k && !unsupported.note("top_k", kDialect)) return *unsupported.error();
  // max_tokens rather than max_completion_tokens: every OpenAI-compatible server takes it.
  if (sampling.max_tokens) body["max_tokens"] = *sampling.max_tokens;
  if (sampling.seed) body["seed"] = *sampling.seed;
  if (sampling.candidate_count) body["n"] = *sampling.candidate_count;
  if (sampling.presence_penalty) body["presence_penalty"] = *sampling.presence_penalty;
  if (sampling.frequency_penalty) body["frequency_penalty"] = *sampling.frequency_penalty;
  if (!sampling.stop.empty()) {
    json::array stop;
    for (const auto& s : sampling.stop) stop.emplace_back(s);
    body["stop"] = std::move(stop);
  }
  if (!request.user.empty()) body["user"] = request.user;
  if (request.thinking.enabled) {
    if (!request.thinking.effort.empty()) {
      body["reasoning_effort"] = request.thinking.effort;
    } else if (!unsupported.note("thinking.budget_tokens", kDialect)) {
      return *unsupported.error();
    }
  }
  for (const auto& extension : request.extensions) {
    if (!unsupported.note(extension.key(), kDialect)) return *unsupported.error();
  }
  if (request.stream) {
    body["stream"] = true;
    body["stream_options"] = json::object{{"include_usage", true}};
  }
  return json::serialize(body);
}

}  // namespace switchyard::openai
