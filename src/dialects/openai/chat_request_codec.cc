// OpenAI Chat Completions requests <-> the canonical model.
#include <boost/json/parse.hpp>

#include "core/data_url.h"
#include "core/json_fields.h"
#include "core/json_parse.h"
#include "core/json_writer.h"
#include "dialects/openai/chat_request.h"
#include "dialects/openai/tool_choice.h"

namespace switchyard::openai {
namespace json = boost::json;
using json_fields::index_path;
using json_fields::ParamPath;
using json_fields::join_path;

namespace {

constexpr std::string_view kDialect = "openai";

// Members this codec maps; anything else goes to extensions.
constexpr std::string_view kKnownMembers[] = {
    "model", "messages", "tools", "tool_choice", "parallel_tool_calls", "response_format", "temperature", "top_p",
    "max_tokens", "max_completion_tokens", "stop", "n", "seed", "presence_penalty", "frequency_penalty", "user",
    "stream", "stream_options", "reasoning_effort",
    "models"};  // OpenRouter's fallback list, consumed by the router

// Members other dialects cannot express, at the value that asks for nothing (the API's default).
constexpr canonical::DocumentedDefault kDefaults[] = {
    {"logprobs", false}, {"top_logprobs", std::int64_t{0}}, {"store", false}, {"service_tier", "auto"},
    {"verbosity", "medium"}};

bool is_known_member(std::string_view key) {
  for (std::string_view known : kKnownMembers) {
    if (known == key) return true;
  }
  return false;
}

// Text of a string-or-text-parts content (system, developer, tool messages).
std::optional<std::string> flatten_text(const json::value& content, const ParamPath& path, json_fields::Reader& reader) {
  if (content.is_string()) return std::string(content.get_string());
  if (!content.is_array()) {
    reader.fail(path.str(), "'" + path.str() + "' must be a string or an array of text parts");
    return std::nullopt;
  }
  std::string text;
  std::size_t i = 0;
  for (const json::value& part : content.get_array()) {
    const ParamPath at = path.index(i++);
    const json::object* fields = part.if_object();
    auto type = fields ? reader.string(*fields, "type", at) : std::nullopt;
    if (!fields || type != "text") {
      reader.fail(at.str(), "'" + at.str() + "' must be a text part here");
      return std::nullopt;
    }
    if (auto piece = reader.string(*fields, "text", at)) text += *piece;
  }
  return text;
}

void decode_user_content(const json::value& content, const ParamPath& path, json_fields::Reader& reader,
                         std::vector<canonical::Block>& out) {
  if (content.is_string()) {
    out.push_back(canonical::TextBlock{std::string(content.get_string())});
    return;
  }
  if (!content.is_array()) {
    reader.fail(path.str(), "'" + path.str() + "' must be a string or an array of content parts");
    return;
  }
  std::size_t i = 0;
  for (const json::value& part : content.get_array()) {
    const ParamPath at = path.index(i++);
    const json::object* fields = part.if_object();
    if (!fields) {
      reader.fail(at.str(), "'" + at.str() + "' must be an object");
      return;
    }
    auto type = reader.string(*fields, "type", at).value_or("");
    if (type == "text") {
      out.push_back(canonical::TextBlock{reader.string(*fields, "text", at).value_or("")});
    } else if (type == "image_url") {
      const json::object* image = reader.object(*fields, "image_url", at);
      auto url = image ? reader.string(*image, "url", at.member("image_url")) : std::nullopt;
      if (!url) {
        std::string where = at.member("image_url.url").str();
        reader.fail(where, "'" + where + "' is required");
        return;
      }
      if (auto data = parse_data_url(*url)) {
        out.push_back(canonical::ImageBlock{data->media_type, data->base64_data, {}});
      } else {
        out.push_back(canonical::ImageBlock{{}, {}, *url});
      }
    } else if (type == "file") {
      const json::object* file = reader.object(*fields, "file", at);
      auto data_url = file ? reader.string(*file, "file_data", at.member("file")) : std::nullopt;
      auto data = data_url ? parse_data_url(*data_url) : std::nullopt;
      if (!data) {
        reader.fail(at.member("file").str(), "'" + at.member("file").str() +
                                                 "' must carry file_data as a base64 data URL to reach a provider of another API "
                                                 "(file_id names a file only OpenAI holds)");
        return;
      }
      out.push_back(canonical::DocumentBlock{data->media_type, data->base64_data, {},
                                             reader.string(*file, "filename", at.member("file")).value_or("")});
    } else {
      reader.fail(at.member("type").str(), "content parts of type '" + type +
                                             "' can only be sent to OpenAI-compatible providers");
      return;
    }
  }
}

void decode_tool_calls(const json::array& calls, const ParamPath& path, json_fields::Reader& reader,
                       std::vector<canonical::Block>& out) {
  std::size_t i = 0;
  for (const json::value& call : calls) {
    const ParamPath at = path.index(i++);
    const json::object* fields = call.if_object();
    const json::object* function = fields ? reader.object(*fields, "function", at) : nullptr;
    if (!function) {
      reader.fail(at.str(), "'" + at.str() + "' must be a function tool call");
      return;
    }
    canonical::ToolCallBlock block;
    block.id = reader.string(*fields, "id", at).value_or("");
    block.name = reader.string(*function, "name", at.member("function")).value_or("");
    block.arguments = reader.string(*function, "arguments", at.member("function")).value_or("{}");
    if (block.arguments.empty()) block.arguments = "{}";
    out.push_back(std::move(block));
  }
}

void decode_messages(const json::array& messages, json_fields::Reader& reader, canonical::Request& out) {
  out.messages.reserve(messages.size());
  const ParamPath messages_path("messages");
  std::size_t i = 0;
  for (const json::value& message : messages) {
    const ParamPath at = messages_path.index(i++);
    const json::object* fields = message.if_object();
    if (!fields) {
      reader.fail(at.str(), "'" + at.str() + "' must be an object");
      return;
    }
    std::string role = reader.string(*fields, "role", at).value_or("");
    const json::value* content = fields->if_contains("content");
    bool has_content = content && !content->is_null();
    canonical::Message decoded;
    if (role == "system" || role == "developer") {
      decoded.role = canonical::Role::system;
      if (has_content) {
        if (auto text = flatten_text(*content, at.member("content"), reader)) {
          decoded.content.push_back(canonical::TextBlock{*text});
        }
      }
    } else if (role == "user") {
      decoded.role = canonical::Role::user;
      if (has_content) decode_user_content(*content, at.member("content"), reader, decoded.content);
    } else if (role == "assistant") {
      decoded.role = canonical::Role::assistant;
      if (has_content) {
        if (auto text = flatten_text(*content, at.member("content"), reader); text && !text->empty()) {
          decoded.content.push_back(canonical::TextBlock{*text});
        }
      }
      if (const json::array* calls = reader.array(*fields, "tool_calls", at)) {
        decode_tool_calls(*calls, at.member("tool_calls"), reader, decoded.content);
      }
    } else if (role == "tool") {
      decoded.role = canonical::Role::user;
      canonical::ToolResultBlock result;
      result.tool_call_id = reader.string(*fields, "tool_call_id", at).value_or("");
      if (result.tool_call_id.empty()) reader.fail(at.member("tool_call_id").str(), "'" + at.str() + ".tool_call_id' is required");
      if (has_content) {
        if (auto text = flatten_text(*content, at.member("content"), reader)) {
          result.content.push_back(canonical::TextBlock{*text});
        }
      }
      decoded.content.push_back(std::move(result));
    } else {
      reader.fail(at.member("role").str(), "unsupported role '" + role + "' in " + at.str());
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

// A turn's text and images as OpenAI content: a plain string when it is one text, parts
// otherwise. `include` picks the blocks of the turn that belong to it.
template <typename Include>
void write_text_or_parts(JsonWriter& out, const std::vector<canonical::Block>& blocks, Include include) {
  bool has_image = false;
  std::size_t texts = 0;
  const canonical::TextBlock* only_text = nullptr;
  for (const auto& block : blocks) {
    if (!include(block)) continue;
    if (std::holds_alternative<canonical::ImageBlock>(block) || std::holds_alternative<canonical::DocumentBlock>(block)) {
      has_image = true;  // parts, not a string
    }
    if (auto* text = std::get_if<canonical::TextBlock>(&block)) {
      if (!only_text) only_text = text;
      ++texts;
    }
  }
  if (!has_image && texts == 1) {
    out.string(only_text->text);
    return;
  }
  out.begin_array();
  for (const auto& block : blocks) {
    if (!include(block)) continue;
    if (auto* text = std::get_if<canonical::TextBlock>(&block)) {
      out.begin_object().member("type", "text").member("text", text->text).end_object();
    } else if (auto* image = std::get_if<canonical::ImageBlock>(&block)) {
      out.begin_object().member("type", "image_url").key("image_url").begin_object();
      if (image->url.empty()) {
        out.member("url", make_data_url(image->media_type, image->data));
      } else {
        out.member("url", image->url);
      }
      out.end_object().end_object();
    } else if (auto* document = std::get_if<canonical::DocumentBlock>(&block)) {
      out.begin_object().member("type", "file").key("file").begin_object();
      if (!document->filename.empty()) out.member("filename", document->filename);
      out.member("file_data", make_data_url(document->media_type, document->data)).end_object().end_object();
    }
  }
  out.end_array();
}

void write_assistant_message(JsonWriter& out, const canonical::Message& message) {
  std::string text;
  bool has_calls = false;
  for (const auto& block : message.content) {
    if (auto* piece = std::get_if<canonical::TextBlock>(&block)) text += piece->text;
    if (std::holds_alternative<canonical::ToolCallBlock>(block)) has_calls = true;
    // Thinking blocks are the other vendor's private reasoning; OpenAI has no field for them.
  }
  out.begin_object().member("role", "assistant").key("content");
  if (text.empty() && has_calls) {
    out.null();
  } else {
    out.string(text);
  }
  if (has_calls) {
    out.key("tool_calls").begin_array();
    for (const auto& block : message.content) {
      if (auto* call = std::get_if<canonical::ToolCallBlock>(&block)) {
        out.begin_object().member("id", call->id).member("type", "function").key("function").begin_object();
        out.member("name", call->name).member("arguments", call->arguments).end_object().end_object();
      }
    }
    out.end_array();
  }
  out.end_object();
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
  json_fields::ParsedJson document(body);
  json::error_code ec = document.error();
  json::value& parsed = document.root();
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
    decode_tool_choice(*choice, reader, out.tool_choice, FunctionNaming::nested);
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
    if (!is_known_member(member.key())) canonical::keep_extension(out.extensions, member.key(), member.value(), kDefaults);
  }
  if (!reader.ok()) return *reader.error();
  return out;
}

Result<std::string> encode_chat_request(const canonical::Request& request, const canonical::EncodeOptions& options) {
  canonical::Unsupported unsupported(options);
  std::string body;
  JsonWriter out(body);
  out.begin_object().member("model", options.upstream_model);

  out.key("messages").begin_array();
  for (const canonical::Message& message : request.messages) {
    if (message.role == canonical::Role::system) {
      out.begin_object().member("role", "system").key("content");
      write_text_or_parts(out, message.content, [](const canonical::Block&) { return true; });
      out.end_object();
      continue;
    }
    if (message.role == canonical::Role::assistant) {
      write_assistant_message(out, message);
      continue;
    }
    // A user turn: tool results become `tool` messages, which must directly follow the
    // assistant's calls, so they go first; the rest stays a user message.
    auto in_user_message = [](const canonical::Block& block) {
      return !std::holds_alternative<canonical::ToolResultBlock>(block) && !std::holds_alternative<canonical::ThinkingBlock>(block);
    };
    bool has_rest = false;
    for (const auto& block : message.content) {
      // A file part carries its bytes; Chat Completions takes no file by URL.
      if (auto* document = std::get_if<canonical::DocumentBlock>(&block); document && !document->url.empty()) {
        if (!unsupported.note("file_url", kDialect)) return *unsupported.error();
      }
      auto* result = std::get_if<canonical::ToolResultBlock>(&block);
      if (!result) {
        has_rest = has_rest || in_user_message(block);
        continue;
      }
      for (const auto& part : result->content) {
        if (std::holds_alternative<canonical::ImageBlock>(part) && !unsupported.note("tool_result.image", kDialect)) {
          return *unsupported.error();
        }
      }
      std::string text = tool_result_text(*result);
      if (result->is_error && text.empty()) text = "error";
      out.begin_object().member("role", "tool").member("tool_call_id", result->tool_call_id).member("content", text).end_object();
    }
    if (has_rest) {
      out.begin_object().member("role", "user").key("content");
      write_text_or_parts(out, message.content, in_user_message);
      out.end_object();
    }
  }
  out.end_array();

  if (!request.tools.empty()) {
    out.key("tools").begin_array();
    for (const canonical::Tool& tool : request.tools) {
      out.begin_object().member("type", "function").key("function").begin_object().member("name", tool.name);
      if (!tool.description.empty()) out.member("description", tool.description);
      if (!tool.parameters.is_null()) out.member("parameters", tool.parameters);
      out.end_object().end_object();
    }
    out.end_array();
  }
  write_tool_choice(out, request, FunctionNaming::nested);

  using Kind = canonical::ResponseFormat::Kind;
  const canonical::ResponseFormat& format = request.response_format;
  if (format.kind == Kind::json_object) {
    out.key("response_format").begin_object().member("type", "json_object").end_object();
  } else if (format.kind == Kind::json_schema) {
    out.key("response_format").begin_object().member("type", "json_schema").key("json_schema").begin_object();
    out.member("name", format.name).member("schema", format.schema);
    if (!format.description.empty()) out.member("description", format.description);
    if (format.strict) out.member("strict", *format.strict);
    out.end_object().end_object();
  }

  const canonical::Sampling& sampling = request.sampling;
  if (sampling.temperature) out.member("temperature", *sampling.temperature);
  if (sampling.top_p) out.member("top_p", *sampling.top_p);
  if (sampling.top_k && !unsupported.note("top_k", kDialect)) return *unsupported.error();
  // max_tokens rather than max_completion_tokens: every OpenAI-compatible server takes it.
  if (sampling.max_tokens) out.member("max_tokens", *sampling.max_tokens);
  if (sampling.seed) out.member("seed", *sampling.seed);
  if (sampling.candidate_count) out.member("n", *sampling.candidate_count);
  if (sampling.presence_penalty) out.member("presence_penalty", *sampling.presence_penalty);
  if (sampling.frequency_penalty) out.member("frequency_penalty", *sampling.frequency_penalty);
  if (!sampling.stop.empty()) {
    out.key("stop").begin_array();
    for (const auto& stop : sampling.stop) out.string(stop);
    out.end_array();
  }
  if (!request.user.empty()) out.member("user", request.user);
  if (request.thinking.enabled) {
    if (!request.thinking.effort.empty()) {
      out.member("reasoning_effort", request.thinking.effort);
    } else if (!unsupported.note("thinking.budget_tokens", kDialect)) {
      return *unsupported.error();
    }
  }
  for (const auto& extension : request.extensions) {
    if (!unsupported.note(extension.key(), kDialect)) return *unsupported.error();
  }
  if (request.stream) {
    out.member("stream", true).key("stream_options").begin_object().member("include_usage", true).end_object();
  }
  out.end_object();
  return body;
}

}  // namespace switchyard::openai
