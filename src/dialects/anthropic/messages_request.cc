#include "dialects/anthropic/messages_request.h"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <map>

#include "core/json_fields.h"
#include "core/json_parse.h"
#include "core/json_splice.h"

namespace switchyard::anthropic {
namespace json = boost::json;
using json_fields::index_path;
using json_fields::join_path;

namespace {

constexpr std::string_view kDialect = "anthropic";

constexpr std::string_view kKnownMembers[] = {"model", "messages", "system", "max_tokens", "stop_sequences", "stream",
                                              "temperature", "top_p", "top_k", "tools", "tool_choice", "thinking",
                                              "metadata", "output_config"};

bool is_known_member(std::string_view key) {
  for (std::string_view known : kKnownMembers) {
    if (known == key) return true;
  }
  return false;
}

GatewayError invalid(std::string message, std::string param = {}) {
  return make_error(ErrorKind::invalid_request, std::move(message), "invalid_request", std::move(param));
}

std::optional<canonical::ImageBlock> decode_image(const json::object& block, std::string_view path,
                                                  json_fields::Reader& reader) {
  const json::object* source = reader.object(block, "source", path);
  if (!source) {
    reader.fail(join_path(path, "source"), "'" + join_path(path, "source") + "' is required");
    return std::nullopt;
  }
  std::string source_path = join_path(path, "source");
  std::string type = reader.string(*source, "type", source_path).value_or("");
  if (type == "base64") {
    return canonical::ImageBlock{reader.string(*source, "media_type", source_path).value_or(""),
                                 reader.string(*source, "data", source_path).value_or(""), {}};
  }
  if (type == "url") return canonical::ImageBlock{{}, {}, reader.string(*source, "url", source_path).value_or("")};
  reader.fail(join_path(source_path, "type"), "image sources of type '" + type + "' can only be sent to Anthropic");
  return std::nullopt;
}

void decode_blocks(const json::value& content, std::string_view path, json_fields::Reader& reader,
                   std::map<std::string, std::string>& tool_names, std::vector<canonical::Block>& out) {
  if (content.is_string()) {
    out.push_back(canonical::TextBlock{std::string(content.get_string())});
    return;
  }
  if (!content.is_array()) {
    reader.fail(path, "'" + std::string(path) + "' must be a string or an array of content blocks");
    return;
  }
  std::size_t i = 0;
  for (const json::value& item : content.get_array()) {
    std::string at = index_path(path, i++);
    const json::object* block = item.if_object();
    if (!block) {
      reader.fail(at, "'" + at + "' must be an object");
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
        decode_blocks(*inner, join_path(at, "content"), reader, tool_names, parts);
        for (auto& part : parts) {
          if (auto* text = std::get_if<canonical::TextBlock>(&part)) result.content.emplace_back(std::move(*text));
          else if (auto* image = std::get_if<canonical::ImageBlock>(&part)) result.content.emplace_back(std::move(*image));
          else reader.fail(join_path(at, "content"), "tool results may contain only text and images");
        }
      }
      out.push_back(std::move(result));
    } else if (type == "thinking") {
      out.push_back(canonical::ThinkingBlock{reader.string(*block, "thinking", at).value_or(""),
                                             reader.string(*block, "signature", at).value_or(""), {}});
    } else if (type == "redacted_thinking") {
      out.push_back(canonical::ThinkingBlock{{}, {}, reader.string(*block, "data", at).value_or("")});
    } else {
      reader.fail(join_path(at, "type"), "content blocks of type '" + type + "' can only be sent to Anthropic");
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
  json::value parsed = json::parse(arguments.empty() ? std::string_view("{}") : std::string_view(arguments), ec);
  ok = !ec && parsed.is_object();
  return ok ? parsed : json::value(json::object{});
}

json::object image_block(const canonical::ImageBlock& image) {
  if (!image.url.empty()) return json::object{{"type", "image"}, {"source", json::object{{"type", "url"}, {"url", image.url}}}};
  return json::object{{"type", "image"},
                      {"source", json::object{{"type", "base64"}, {"media_type", image.media_type}, {"data", image.data}}}};
}

}  // namespace

Result<MessagesRequestView> inspect_messages_request(std::string_view body) {
  json::error_code ec;
  json::value parsed = json_fields::parse_in_arena(body, ec);
  if (ec || !parsed.is_object()) return invalid("request body is not a valid JSON object");
  const json::object& root = parsed.get_object();
  MessagesRequestView view;
  const json::value* model = root.if_contains("model");
  if (!model || !model->is_string() || model->get_string().empty()) return invalid("model: Field required", "model");
  view.model = std::string(model->get_string());
  const json::value* messages = root.if_contains("messages");
  if (!messages || !messages->is_array()) return invalid("messages: Field required", "messages");
  if (const json::value* stream = root.if_contains("stream"); stream && stream->is_bool()) view.stream = stream->get_bool();
  return view;
}

// API version 2026-10-21 allows role:"system" messages; the 2023-06-01 version the gateway
// speaks upstream does not. They move, in order, to the end of the top-level system prompt.
std::optional<std::string> fold_system_messages(std::string_view body) {
  json::error_code ec;
  json::value parsed = json_fields::parse_in_arena(body, ec);
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
  std::string out = json_splice::set_member(body, "model", json::serialize(json::string(upstream_model)));
  if (out.find("\"system\"") == std::string::npos) return out;  // the common case stays byte-exact
  if (auto folded = fold_system_messages(out)) return *folded;
  return out;
}

Result<canonical::Request> decode_messages_request(std::string_view body) {
  json::error_code ec;
  json::value parsed = json_fields::parse_in_arena(body, ec);
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
    std::size_t i = 0;
    for (const json::value& item : *messages) {
      std::string at = index_path("messages", i++);
      const json::object* fields = item.if_object();
      if (!fields) {
        reader.fail(at, "'" + at + "' must be an object");
        break;
      }
      std::string role = reader.string(*fields, "role", at).value_or("");
      canonical::Message message;
      if (role == "user") message.role = canonical::Role::user;
      else if (role == "assistant") message.role = canonical::Role::assistant;
      else if (role == "system") message.role = canonical::Role::system;
      else reader.fail(join_path(at, "role"), "unexpected role '" + role + "' in " + at);
      if (const json::value* content = fields->if_contains("content"); content && !content->is_null()) {
        decode_blocks(*content, join_path(at, "content"), reader, tool_names, message.content);
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
      if (member.key() != "format") out.extensions.emplace("output_config." + std::string(member.key()), member.value());
    }
  }
  for (const auto& member : root) {
    if (!is_known_member(member.key()) && !member.value().is_null()) out.extensions.emplace(member.key(), member.value());
  }
  if (!reader.ok()) return *reader.error();
  return out;
}

Result<std::string> encode_messages_request(const canonical::Request& request, const canonical::EncodeOptions& options) {
  canonical::Unsupported unsupported(options);
  json::object body;
  body["model"] = options.upstream_model;

  // System messages, wherever they stood, become the top-level system prompt.
  json::array system;
  json::array messages;
  for (const canonical::Message& message : request.messages) {
    if (message.role == canonical::Role::system) {
      for (const auto& block : message.content) {
        if (auto* text = std::get_if<canonical::TextBlock>(&block); text && !text->text.empty()) {
          system.push_back(json::object{{"type", "text"}, {"text", text->text}});
        }
      }
      continue;
    }
    std::string role = message.role == canonical::Role::assistant ? "assistant" : "user";
    json::array results;  // tool_result blocks lead their user turn
    json::array content;
    for (const auto& block : message.content) {
      if (auto* text = std::get_if<canonical::TextBlock>(&block)) {
        // Anthropic rejects empty text blocks.
        if (!text->text.empty()) content.push_back(json::object{{"type", "text"}, {"text", text->text}});
      } else if (auto* image = std::get_if<canonical::ImageBlock>(&block)) {
        content.push_back(image_block(*image));
      } else if (auto* call = std::get_if<canonical::ToolCallBlock>(&block)) {
        bool ok = false;
        json::value input = parse_arguments(call->arguments, ok);
        if (!ok) return invalid("the arguments of tool call '" + call->id + "' are not a JSON object", "messages");
        content.push_back(json::object{{"type", "tool_use"}, {"id", sanitize_id(call->id)}, {"name", call->name}, {"input", input}});
      } else if (auto* result = std::get_if<canonical::ToolResultBlock>(&block)) {
        json::object out{{"type", "tool_result"}, {"tool_use_id", sanitize_id(result->tool_call_id)}};
        json::array parts;
        for (const auto& part : result->content) {
          if (auto* text = std::get_if<canonical::TextBlock>(&part); text && !text->text.empty()) {
            parts.push_back(json::object{{"type", "text"}, {"text", text->text}});
          } else if (auto* image = std::get_if<canonical::ImageBlock>(&part)) {
            parts.push_back(image_block(*image));
          }
        }
        if (!parts.empty()) out["content"] = std::move(parts);
        if (result->is_error) out["is_error"] = true;
        results.push_back(std::move(out));
      } else if (auto* thinking = std::get_if<canonical::ThinkingBlock>(&block)) {
        // Only Anthropic's own signed thinking can be replayed to it.
        if (!thinking->redacted_data.empty()) {
          content.push_back(json::object{{"type", "redacted_thinking"}, {"data", thinking->redacted_data}});
        } else if (!thinking->signature.empty()) {
          content.push_back(json::object{{"type", "thinking"}, {"thinking", thinking->text}, {"signature", thinking->signature}});
        }
      }
    }
    for (auto& item : content) results.push_back(std::move(item));
    if (results.empty()) continue;
    // Consecutive turns of one role merge, so tool results answering parallel calls
    // (separate OpenAI tool messages) land in the one user turn Anthropic requires.
    if (!messages.empty() && messages.back().as_object().at("role").as_string() == role) {
      json::array& previous = messages.back().as_object().at("content").as_array();
      for (auto& item : results) previous.push_back(std::move(item));
    } else {
      messages.push_back(json::object{{"role", role}, {"content", std::move(results)}});
    }
  }
  if (!system.empty()) body["system"] = std::move(system);
  body["messages"] = std::move(messages);

  const canonical::Sampling& sampling = request.sampling;
  body["max_tokens"] = sampling.max_tokens.value_or(options.default_max_tokens);

  json::array tools;
  for (const canonical::Tool& tool : request.tools) {
    json::object out{{"name", tool.name}};
    if (!tool.description.empty()) out["description"] = tool.description;
    out["input_schema"] = tool.parameters.is_object() ? tool.parameters : json::value(json::object{{"type", "object"}});
    tools.push_back(std::move(out));
  }
  using Mode = canonical::ToolChoice::Mode;
  json::object choice;
  switch (request.tool_choice.mode) {
    case Mode::unset: break;
    case Mode::automatic: choice["type"] = "auto"; break;
    case Mode::none: choice["type"] = "none"; break;
    case Mode::required: choice["type"] = "any"; break;
    case Mode::specific: choice = json::object{{"type", "tool"}, {"name", request.tool_choice.name}}; break;
  }
  using Kind = canonical::ResponseFormat::Kind;
  if (request.response_format.kind != Kind::text) {
    // No JSON flag in the Messages API: a forced call of a tool whose input schema is the
    // wanted shape, returned to the client as text by the response decoders.
    json::value schema = request.response_format.kind == Kind::json_schema && request.response_format.schema.is_object()
                             ? request.response_format.schema
                             : json::value(json::object{{"type", "object"}});
    tools.push_back(json::object{{"name", kJsonTool},
                                 {"description", "Respond with the JSON object the user asked for."},
                                 {"input_schema", schema}});
    if (!request.thinking.enabled) choice = json::object{{"type", "tool"}, {"name", kJsonTool}};
  }
  if (request.tool_choice.parallel && !*request.tool_choice.parallel && !choice.empty() && choice.at("type").as_string() != "none") {
    choice["disable_parallel_tool_use"] = true;
  }
  if (!tools.empty()) body["tools"] = std::move(tools);
  if (!choice.empty() && body.contains("tools")) body["tool_choice"] = std::move(choice);

  // Anthropic's temperature range is 0..1 where OpenAI and Gemini allow 0..2.
  if (sampling.temperature) body["temperature"] = std::min(*sampling.temperature, 1.0);
  if (sampling.top_p) body["top_p"] = *sampling.top_p;
  if (sampling.top_k) body["top_k"] = *sampling.top_k;
  if (!sampling.stop.empty()) {
    json::array stops;
    for (const auto& stop : sampling.stop) {
      bool blank = stop.find_first_not_of(" \t\r\n") == std::string::npos;
      if (blank) {
        if (!unsupported.note("stop (whitespace-only sequence)", kDialect)) return *unsupported.error();
        continue;
      }
      stops.emplace_back(stop);
    }
    if (!stops.empty()) body["stop_sequences"] = std::move(stops);
  }
  if (sampling.seed && !unsupported.note("seed", kDialect)) return *unsupported.error();
  if (sampling.candidate_count && *sampling.candidate_count != 1 && !unsupported.note("n", kDialect)) {
    return *unsupported.error();
  }
  if (sampling.presence_penalty && !unsupported.note("presence_penalty", kDialect)) return *unsupported.error();
  if (sampling.frequency_penalty && !unsupported.note("frequency_penalty", kDialect)) return *unsupported.error();
  if (!request.user.empty()) body["metadata"] = json::object{{"user_id", request.user}};
  if (request.thinking.enabled) {
    std::int64_t budget = request.thinking.budget_tokens.value_or(0);
    if (!budget) {
      const std::string& effort = request.thinking.effort;
      budget = effort == "low" ? 1024 : effort == "high" ? 16384 : 4096;
    }
    body["thinking"] = json::object{{"type", "enabled"}, {"budget_tokens", budget}};
    if (body["max_tokens"].to_number<std::int64_t>() <= budget) body["max_tokens"] = budget + options.default_max_tokens;
  }
  for (const auto& extension : request.extensions) {
    if (!unsupported.note(extension.key(), kDialect)) return *unsupported.error();
  }
  if (request.stream) body["stream"] = true;
  return json::serialize(body);
}

}  // namespace switchyard::anthropic
