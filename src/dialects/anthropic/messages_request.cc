#include "dialects/anthropic/messages_request.h"

#include <boost/json/serialize.hpp>
#include <map>

#include "core/base64.h"
#include "core/json_fields.h"
#include "core/json_parse.h"
#include "core/json_splice.h"
#include "core/json_top_members.h"
#include "core/json_writer.h"
#include "dialects/merged_turns.h"

namespace switchyard::anthropic {
namespace json = boost::json;
using json_fields::index_path;
using json_fields::join_path;

namespace {

constexpr std::string_view kDialect = "anthropic";

constexpr std::string_view kKnownMembers[] = {"model", "messages", "system", "max_tokens", "stop_sequences", "stream",
                                              "temperature", "top_p", "top_k", "tools", "tool_choice", "thinking",
                                              "metadata", "output_config"};

// Members other dialects cannot express, at the value that asks for nothing (the API's default).
constexpr canonical::DocumentedDefault kDefaults[] = {{"service_tier", "auto"}};

bool is_known_member(std::string_view key) {
  for (std::string_view known : kKnownMembers) {
    if (known == key) return true;
  }
  return false;
}

GatewayError invalid(std::string message, std::string param = {}) {
  return make_error(ErrorKind::invalid_request, std::move(message), "invalid_request", std::move(param));
}

std::optional<canonical::ImageBlock> decode_image(const json::object& block, const json_fields::ParamPath& path,
                                                  json_fields::Reader& reader) {
  const json_fields::ParamPath source_path = path.member("source");
  const json::object* source = reader.object(block, "source", path);
  if (!source) {
    reader.fail(source_path.str(), "'" + source_path.str() + "' is required");
    return std::nullopt;
  }
  std::string type = reader.string(*source, "type", source_path).value_or("");
  if (type == "base64") {
    return canonical::ImageBlock{reader.string(*source, "media_type", source_path).value_or(""),
                                 reader.string(*source, "data", source_path).value_or(""), {}};
  }
  if (type == "url") return canonical::ImageBlock{{}, {}, reader.string(*source, "url", source_path).value_or("")};
  reader.fail(source_path.member("type").str(), "image sources of type '" + type + "' can only be sent to Anthropic");
  return std::nullopt;
}

void decode_blocks(const json::value& content, const json_fields::ParamPath& path, json_fields::Reader& reader,
                   std::map<std::string, std::string>& tool_names, std::vector<canonical::Block>& out) {
  if (content.is_string()) {
    out.push_back(canonical::TextBlock{std::string(content.get_string())});
    return;
  }
  if (!content.is_array()) {
    reader.fail(path.str(), "'" + path.str() + "' must be a string or an array of content blocks");
    return;
  }
  out.reserve(out.size() + content.get_array().size());
  std::size_t i = 0;
  for (const json::value& item : content.get_array()) {
    const json_fields::ParamPath at = path.index(i++);
    const json::object* block = item.if_object();
    if (!block) {
      reader.fail(at.str(), "'" + at.str() + "' must be an object");
      return;
    }
    std::string type = reader.string(*block, "type", at).value_or("");
    if (type == "text") {
      out.push_back(canonical::TextBlock{reader.string(*block, "text", at).value_or("")});
    } else if (type == "image") {
      if (auto image = decode_image(*block, at, reader)) out.push_back(std::move(*image));
    } else if (type == "tool_use") {
      canonical::ToolCallBlock call;
      call.id = reader.string(*block, "id", at).value_or("");
      call.name = reader.string(*block, "name", at).value_or("");
      const json::value* input = block->if_contains("input");
      call.arguments = input && !input->is_null() ? json::serialize(*input) : "{}";
      tool_names[call.id] = call.name;
      out.push_back(std::move(call));
    } else if (type == "tool_result") {
      canonical::ToolResultBlock result;
      result.tool_call_id = reader.string(*block, "tool_use_id", at).value_or("");
      if (auto name = tool_names.find(result.tool_call_id); name != tool_names.end()) result.name = name->second;
      result.is_error = reader.boolean(*block, "is_error", at).value_or(false);
      if (const json::value* inner = block->if_contains("content"); inner && !inner->is_null()) {
        std::vector<canonical::Block> parts;
        decode_blocks(*inner, at.member("content"), reader, tool_names, parts);
        for (auto& part : parts) {
          if (auto* text = std::get_if<canonical::TextBlock>(&part)) result.content.emplace_back(std::move(*text));
          else if (auto* image = std::get_if<canonical::ImageBlock>(&part)) result.content.emplace_back(std::move(*image));
          else reader.fail(at.member("content").str(), "tool results may contain only text and images");
        }
      }
      out.push_back(std::move(result));
    } else if (type == "thinking") {
      out.push_back(canonical::ThinkingBlock{reader.string(*block, "thinking", at).value_or(""),
                                             reader.string(*block, "signature", at).value_or(""), {}});
    } else if (type == "redacted_thinking") {
      out.push_back(canonical::ThinkingBlock{{}, {}, reader.string(*block, "data", at).value_or("")});
    } else {
      reader.fail(at.member("type").str(), "content blocks of type '" + type + "' can only be sent to Anthropic");
      return;
    }
  }
}

// Anthropic ids must match ^[a-zA-Z0-9_-]+$; other dialects' ids may not.
std::string sanitize_id(std::string_view id) {
  std::string out;
  for (char c : id) out += (std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-') ? c : '_';
  return out.empty() ? std::string("toolu_unnamed") : out;
}

json::value parse_arguments(const std::string& arguments, bool& ok) {
  json::error_code ec;
  json::value parsed = json_fields::parse_document(arguments.empty() ? std::string_view("{}") : std::string_view(arguments), ec);
  ok = !ec && parsed.is_object();
  return ok ? parsed : json::value(json::object{});
}

void write_image(JsonWriter& out, const canonical::ImageBlock& image) {
  out.begin_object().member("type", "image").key("source").begin_object();
  if (!image.url.empty()) {
    out.member("type", "url").member("url", image.url);
  } else {
    out.member("type", "base64").member("media_type", image.media_type).member("data", image.data);
  }
  out.end_object().end_object();
}

// A PDF by URL or inline; any other file inline as a plain-text document.
void write_document(JsonWriter& out, const canonical::DocumentBlock& document) {
  out.begin_object().member("type", "document").key("source").begin_object();
  if (!document.url.empty()) {
    out.member("type", "url").member("url", document.url);
  } else if (document.media_type == "application/pdf") {
    out.member("type", "base64").member("media_type", document.media_type).member("data", document.data);
  } else {
    out.member("type", "text").member("media_type", "text/plain").member("data", base64_decode(document.data).value_or(""));
  }
  out.end_object();
  if (!document.filename.empty()) out.member("title", document.filename);
  out.end_object();
}

// Whether a block becomes a content block of the turn (empty texts and foreign thinking do not).
bool becomes_content(const canonical::Block& block) {
  if (auto* text = std::get_if<canonical::TextBlock>(&block)) return !text->text.empty();
  if (auto* thinking = std::get_if<canonical::ThinkingBlock>(&block)) {
    return !thinking->redacted_data.empty() || !thinking->signature.empty();
  }
  return true;
}

void write_tool_result(JsonWriter& out, const canonical::ToolResultBlock& result) {
  out.begin_object().member("type", "tool_result").member("tool_use_id", sanitize_id(result.tool_call_id));
  bool has_parts = false;
  for (const auto& part : result.content) {
    auto* text = std::get_if<canonical::TextBlock>(&part);
    if (text && text->text.empty()) continue;
    if (!has_parts) out.key("content").begin_array();
    has_parts = true;
    if (text) {
      out.begin_object().member("type", "text").member("text", text->text).end_object();
    } else {
      write_image(out, std::get<canonical::ImageBlock>(part));
    }
  }
  if (has_parts) out.end_array();
  if (result.is_error) out.member("is_error", true);
  out.end_object();
}

// Writes a turn's blocks other than tool results; fails on tool call arguments that are not
// a JSON object.
std::optional<GatewayError> write_content(JsonWriter& out, const canonical::Message& message) {
  for (const auto& block : message.content) {
    if (!becomes_content(block)) continue;
    if (auto* text = std::get_if<canonical::TextBlock>(&block)) {
      out.begin_object().member("type", "text").member("text", text->text).end_object();
    } else if (auto* image = std::get_if<canonical::ImageBlock>(&block)) {
      write_image(out, *image);
    } else if (auto* document = std::get_if<canonical::DocumentBlock>(&block)) {
      write_document(out, *document);
    } else if (auto* call = std::get_if<canonical::ToolCallBlock>(&block)) {
      bool ok = false;
      json::value input = parse_arguments(call->arguments, ok);
      if (!ok) return invalid("the arguments of tool call '" + call->id + "' are not a JSON object", "messages");
      out.begin_object().member("type", "tool_use").member("id", sanitize_id(call->id)).member("name", call->name);
      out.member("input", input).end_object();
    } else if (auto* thinking = std::get_if<canonical::ThinkingBlock>(&block)) {
      // Only Anthropic's own signed thinking can be replayed to it.
      if (!thinking->redacted_data.empty()) {
        out.begin_object().member("type", "redacted_thinking").member("data", thinking->redacted_data).end_object();
      } else {
        out.begin_object().member("type", "thinking").member("thinking", thinking->text);
        out.member("signature", thinking->signature).end_object();
      }
    }
  }
  return std::nullopt;
}

// Writes the conversation; system messages, wherever they stood, become the top-level system
// prompt, and consecutive turns of one role merge.
std::optional<GatewayError> write_conversation(JsonWriter& out, const std::vector<canonical::Message>& messages) {
  bool has_system = false;
  for (const canonical::Message& message : messages) {
    if (message.role != canonical::Role::system) continue;
    for (const auto& block : message.content) {
      auto* text = std::get_if<canonical::TextBlock>(&block);
      if (!text || text->text.empty()) continue;
      if (!has_system) out.key("system").begin_array();
      has_system = true;
      out.begin_object().member("type", "text").member("text", text->text).end_object();
    }
  }
  if (has_system) out.end_array();

  out.key("messages").begin_array();
  MergedTurns turns(out, "content");
  for (const canonical::Message& message : messages) {
    if (message.role == canonical::Role::system) continue;
    bool has_blocks = false;
    for (const auto& block : message.content) has_blocks = has_blocks || becomes_content(block);
    if (!has_blocks) continue;
    turns.enter(message.role == canonical::Role::assistant ? "assistant" : "user");
    // tool_result blocks lead their user turn.
    for (const auto& block : message.content) {
      if (auto* result = std::get_if<canonical::ToolResultBlock>(&block)) write_tool_result(out, *result);
    }
    if (auto failed = write_content(out, message)) return failed;
  }
  turns.finish();
  out.end_array();
  return std::nullopt;
}

}  // namespace

Result<MessagesRequestView> inspect_messages_request(std::string_view body) {
  using Kind = json_events::TopMember::Kind;
  json_events::TopMember members[] = {{"model"}, {"messages"}, {"stream"}, {"max_tokens"}};
  auto& [model, messages, stream, max_tokens] = members;
  if (!json_events::read_top_members(body, members)) return invalid("request body is not a valid JSON object");
  if (model.kind != Kind::string || model.text.empty()) return invalid("model: Field required", "model");
  if (model.occurrences > 1) return invalid("model: the body names the model more than once", "model");
  if (messages.kind != Kind::array) return invalid("messages: Field required", "messages");
  return MessagesRequestView{std::move(model.text), stream.kind == Kind::boolean && stream.flag, max_tokens.integer};
}

// API version 2026-10-21 allows role:"system" messages; the 2023-06-01 version the gateway
// speaks upstream does not. They move, in order, to the end of the top-level system prompt.
std::optional<std::string> fold_system_messages(std::string_view body) {
  json_fields::ParsedJson document(body);
  json::error_code ec = document.error();
  json::value& parsed = document.root();
  json::object* root = parsed.if_object();
  json::value* messages = root ? root->if_contains("messages") : nullptr;
  if (ec || !messages || !messages->is_array()) return std::nullopt;
  json::array system;
  if (json::value* existing = root->if_contains("system")) {
    if (existing->is_string()) system.push_back(json::object{{"type", "text"}, {"text", existing->get_string()}});
    else if (existing->is_array()) system = existing->get_array();
  }
  json::array kept;
  bool folded = false;
  for (json::value& message : messages->get_array()) {
    json::object* fields = message.if_object();
    const json::value* role = fields ? fields->if_contains("role") : nullptr;
    if (!role || !role->is_string() || role->get_string() != "system") {
      kept.push_back(std::move(message));
      continue;
    }
    folded = true;
    const json::value* content = fields->if_contains("content");
    if (content && content->is_string()) {
      system.push_back(json::object{{"type", "text"}, {"text", content->get_string()}});
    } else if (content && content->is_array()) {
      for (const json::value& block : content->get_array()) system.push_back(block);
    }
  }
  if (!folded) return std::nullopt;
  (*root)["system"] = std::move(system);
  (*root)["messages"] = std::move(kept);
  return json::serialize(parsed);
}

std::string passthrough_body(std::string_view body, std::string_view upstream_model) {
  std::string out = json_splice::set_member(body, "model", json_string(upstream_model));
  if (out.find("\"system\"") == std::string::npos) return out;  // the common case stays byte-exact
  if (auto folded = fold_system_messages(out)) return *folded;
  return out;
}

Result<canonical::Request> decode_messages_request(std::string_view body) {
  json_fields::ParsedJson document(body);
  json::error_code ec = document.error();
  json::value& parsed = document.root();
  if (ec || !parsed.is_object()) return invalid("request body is not a valid JSON object");
  const json::object& root = parsed.get_object();
  json_fields::Reader reader;
  canonical::Request out;
  out.model = reader.string(root, "model", "").value_or("");
  out.sampling.max_tokens = reader.integer(root, "max_tokens", "");
  if (reader.ok() && !out.sampling.max_tokens) reader.fail("max_tokens", "max_tokens: Field required");

  if (const json::value* system = root.if_contains("system"); system && !system->is_null()) {
    canonical::Message message{canonical::Role::system, {}};
    std::map<std::string, std::string> no_tools;
    decode_blocks(*system, "system", reader, no_tools, message.content);
    out.messages.push_back(std::move(message));
  }
  std::map<std::string, std::string> tool_names;
  if (const json::array* messages = reader.array(root, "messages", "")) {
    const json_fields::ParamPath messages_path("messages");
    out.messages.reserve(out.messages.size() + messages->size());
    std::size_t i = 0;
    for (const json::value& item : *messages) {
      const json_fields::ParamPath at = messages_path.index(i++);
      const json::object* fields = item.if_object();
      if (!fields) {
        reader.fail(at.str(), "'" + at.str() + "' must be an object");
        break;
      }
      std::string role = reader.string(*fields, "role", at).value_or("");
      canonical::Message message;
      if (role == "user") message.role = canonical::Role::user;
      else if (role == "assistant") message.role = canonical::Role::assistant;
      else if (role == "system") message.role = canonical::Role::system;
      else reader.fail(at.member("role").str(), "unexpected role '" + role + "' in " + at.str());
      if (const json::value* content = fields->if_contains("content"); content && !content->is_null()) {
        decode_blocks(*content, at.member("content"), reader, tool_names, message.content);
      }
      out.messages.push_back(std::move(message));
    }
  } else if (reader.ok()) {
    reader.fail("messages", "messages: Field required");
  }

  if (const json::array* tools = reader.array(root, "tools", "")) {
    std::size_t i = 0;
    for (const json::value& item : *tools) {
      std::string at = index_path("tools", i++);
      const json::object* fields = item.if_object();
      if (!fields) continue;
      auto type = reader.string(*fields, "type", at);
      if (type && *type != "custom") {
        reader.fail(join_path(at, "type"), "server tools ('" + *type + "') can only be sent to Anthropic");
        break;
      }
      canonical::Tool tool;
      tool.name = reader.string(*fields, "name", at).value_or("");
      tool.description = reader.string(*fields, "description", at).value_or("");
      if (const json::value* schema = fields->if_contains("input_schema")) tool.parameters = *schema;
      if (tool.name == kJsonTool) {
        // Switchyard's own JSON-mode carrier (a request it encoded earlier) is JSON mode again.
        out.response_format.kind = canonical::ResponseFormat::Kind::json_schema;
        out.response_format.name = "response";
        out.response_format.schema = tool.parameters;
        continue;
      }
      out.tools.push_back(std::move(tool));
    }
  }
  if (const json::object* choice = reader.object(root, "tool_choice", "")) {
    using Mode = canonical::ToolChoice::Mode;
    std::string type = reader.string(*choice, "type", "tool_choice").value_or("");
    if (type == "auto") out.tool_choice.mode = Mode::automatic;
    else if (type == "any") out.tool_choice.mode = Mode::required;
    else if (type == "none") out.tool_choice.mode = Mode::none;
    else if (type == "tool") {
      out.tool_choice.mode = Mode::specific;
      out.tool_choice.name = reader.string(*choice, "name", "tool_choice").value_or("");
      if (out.tool_choice.name == kJsonTool) out.tool_choice = {};
    } else {
      reader.fail("tool_choice.type", "tool_choice.type must be auto, any, none or tool");
    }
    if (auto disable = reader.boolean(*choice, "disable_parallel_tool_use", "tool_choice")) {
      out.tool_choice.parallel = !*disable;
    }
  }
  out.sampling.temperature = reader.number(root, "temperature", "");
  out.sampling.top_p = reader.number(root, "top_p", "");
  out.sampling.top_k = reader.integer(root, "top_k", "");
  if (const json::array* stops = reader.array(root, "stop_sequences", "")) {
    for (const json::value& stop : *stops) {
      if (stop.is_string()) out.sampling.stop.emplace_back(stop.get_string());
    }
  }
  out.stream = reader.boolean(root, "stream", "").value_or(false);
  out.include_usage = true;  // Anthropic streams always carry usage
  if (const json::object* metadata = reader.object(root, "metadata", "")) {
    out.user = reader.string(*metadata, "user_id", "metadata").value_or("");
  }
  if (const json::object* thinking = reader.object(root, "thinking", "")) {
    std::string type = reader.string(*thinking, "type", "thinking").value_or("");
    out.thinking.enabled = type == "enabled" || type == "adaptive";
    out.thinking.show = out.thinking.enabled;  // Anthropic answers with the thinking blocks
    out.thinking.budget_tokens = reader.integer(*thinking, "budget_tokens", "thinking");
  }
  if (const json::object* output = reader.object(root, "output_config", "")) {
    if (const json::object* format = reader.object(*output, "format", "output_config")) {
      if (reader.string(*format, "type", "output_config.format") == "json_schema") {
        out.response_format.kind = canonical::ResponseFormat::Kind::json_schema;
        out.response_format.name = "response";
        if (const json::value* schema = format->if_contains("schema")) out.response_format.schema = *schema;
      }
    }
    for (const auto& member : *output) {
      if (member.key() != "format") {
        canonical::keep_extension(out.extensions, "output_config." + std::string(member.key()), member.value());
      }
    }
  }
  for (const auto& member : root) {
    if (!is_known_member(member.key())) canonical::keep_extension(out.extensions, member.key(), member.value(), kDefaults);
  }
  if (!reader.ok()) return *reader.error();
  return out;
}

Result<std::string> encode_messages_request(const canonical::Request& request, const canonical::EncodeOptions& options) {
  canonical::Unsupported unsupported(options);
  std::string body;
  JsonWriter out(body);
  out.begin_object().member("model", options.upstream_model);
  if (auto failed = write_conversation(out, request.messages)) return *failed;

  const canonical::Sampling& sampling = request.sampling;
  std::int64_t max_tokens = sampling.max_tokens.value_or(options.default_max_tokens);
  std::int64_t thinking_budget = 0;
  if (request.thinking.enabled) {
    thinking_budget = request.thinking.budget_tokens.value_or(0);
    if (!thinking_budget) {
      const std::string& effort = request.thinking.effort;
      thinking_budget = effort == "low" ? 1024 : effort == "high" ? 16384 : 4096;
    }
    if (max_tokens <= thinking_budget) max_tokens = thinking_budget + options.default_max_tokens;
  }
  out.member("max_tokens", max_tokens);

  using Kind = canonical::ResponseFormat::Kind;
  const canonical::ResponseFormat& format = request.response_format;
  // No JSON flag in the Messages API: a forced call of a tool whose input schema is the
  // wanted shape, returned to the client as text by the response decoders.
  bool json_tool = format.kind != Kind::text;
  if (!request.tools.empty() || json_tool) {
    out.key("tools").begin_array();
    for (const canonical::Tool& tool : request.tools) {
      out.begin_object().member("name", tool.name);
      if (!tool.description.empty()) out.member("description", tool.description);
      out.key("input_schema");
      if (tool.parameters.is_object()) {
        out.value(tool.parameters);
      } else {
        out.begin_object().member("type", "object").end_object();
      }
      out.end_object();
    }
    if (json_tool) {
      out.begin_object().member("name", kJsonTool).member("description", "Respond with the JSON object the user asked for.");
      out.key("input_schema");
      if (format.kind == Kind::json_schema && format.schema.is_object()) {
        out.value(format.schema);
      } else {
        out.begin_object().member("type", "object").end_object();
      }
      out.end_object();
    }
    out.end_array();

    using Mode = canonical::ToolChoice::Mode;
    std::string_view choice;
    std::string_view chosen_tool;
    switch (request.tool_choice.mode) {
      case Mode::unset: break;
      case Mode::automatic: choice = "auto"; break;
      case Mode::none: choice = "none"; break;
      case Mode::required: choice = "any"; break;
      case Mode::specific: choice = "tool", chosen_tool = request.tool_choice.name; break;
    }
    if (json_tool && !request.thinking.enabled) choice = "tool", chosen_tool = kJsonTool;
    if (!choice.empty()) {
      out.key("tool_choice").begin_object().member("type", choice);
      if (choice == "tool") out.member("name", chosen_tool);
      if (request.tool_choice.parallel && !*request.tool_choice.parallel && choice != "none") {
        out.member("disable_parallel_tool_use", true);
      }
      out.end_object();
    }
  }

  // Anthropic's temperature range is 0..1 where OpenAI and Gemini allow 0..2.
  if (sampling.temperature) out.member("temperature", std::min(*sampling.temperature, 1.0));
  if (sampling.top_p) out.member("top_p", *sampling.top_p);
  if (sampling.top_k) out.member("top_k", *sampling.top_k);
  std::size_t stops = 0;
  for (const auto& stop : sampling.stop) {
    bool blank = stop.find_first_not_of(" \t\r\n") == std::string::npos;
    if (!blank) ++stops;
    else if (!unsupported.note("stop (whitespace-only sequence)", kDialect)) return *unsupported.error();
  }
  if (stops) {
    out.key("stop_sequences").begin_array();
    for (const auto& stop : sampling.stop) {
      if (stop.find_first_not_of(" \t\r\n") != std::string::npos) out.string(stop);
    }
    out.end_array();
  }
  if (sampling.seed && !unsupported.note("seed", kDialect)) return *unsupported.error();
  if (sampling.candidate_count && *sampling.candidate_count != 1 && !unsupported.note("n", kDialect)) {
    return *unsupported.error();
  }
  // Penalties of 0 are OpenAI's and Gemini's defaults: they ask for nothing.
  if (sampling.presence_penalty.value_or(0) != 0 && !unsupported.note("presence_penalty", kDialect)) {
    return *unsupported.error();
  }
  if (sampling.frequency_penalty.value_or(0) != 0 && !unsupported.note("frequency_penalty", kDialect)) {
    return *unsupported.error();
  }
  if (!request.user.empty()) out.key("metadata").begin_object().member("user_id", request.user).end_object();
  if (request.thinking.enabled) {
    out.key("thinking").begin_object().member("type", "enabled").member("budget_tokens", thinking_budget).end_object();
  }
  for (const auto& extension : request.extensions) {
    if (!unsupported.note(extension.key(), kDialect)) return *unsupported.error();
  }
  if (request.stream) out.member("stream", true);
  out.end_object();
  return body;
}

}  // namespace switchyard::anthropic
