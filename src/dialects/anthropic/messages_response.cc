#include "dialects/anthropic/messages_response.h"

#include <boost/json/serialize.hpp>

#include "core/json_fields.h"
#include "core/json_parse.h"
#include "core/json_writer.h"
#include "core/request_id.h"
#include "dialects/anthropic/message_scan.h"
#include "dialects/anthropic/messages_request.h"

namespace switchyard::anthropic {
namespace json = boost::json;

std::string_view stop_reason_name(canonical::StopReason reason) {
  switch (reason) {
    case canonical::StopReason::end_turn: return "end_turn";
    case canonical::StopReason::max_tokens: return "max_tokens";
    case canonical::StopReason::stop_sequence: return "stop_sequence";
    case canonical::StopReason::tool_use: return "tool_use";
    case canonical::StopReason::content_filter: return "refusal";
    case canonical::StopReason::pause: return "pause_turn";
    case canonical::StopReason::other: return "end_turn";
  }
  return "end_turn";
}

canonical::StopReason stop_reason_from(std::string_view name) {
  if (name == "max_tokens" || name == "model_context_window_exceeded") return canonical::StopReason::max_tokens;
  if (name == "stop_sequence") return canonical::StopReason::stop_sequence;
  if (name == "tool_use") return canonical::StopReason::tool_use;
  if (name == "refusal") return canonical::StopReason::content_filter;
  if (name == "pause_turn") return canonical::StopReason::pause;
  return canonical::StopReason::end_turn;
}

Usage parse_usage(const json::object& usage) {
  Usage out;
  out.reported = true;
  out.cache_read_tokens = json_fields::int_or_zero(usage, "cache_read_input_tokens");
  out.cache_write_tokens = json_fields::int_or_zero(usage, "cache_creation_input_tokens");
  out.input_tokens = json_fields::int_or_zero(usage, "input_tokens") + out.cache_read_tokens + out.cache_write_tokens;
  out.output_tokens = json_fields::int_or_zero(usage, "output_tokens");
  return out;
}

json::object usage_object(const Usage& usage) {
  return json::object{{"input_tokens", usage.input_tokens - usage.cache_read_tokens - usage.cache_write_tokens},
                      {"output_tokens", usage.output_tokens},
                      {"cache_creation_input_tokens", usage.cache_write_tokens},
                      {"cache_read_input_tokens", usage.cache_read_tokens}};
}

Result<canonical::Response> decode_message(std::string_view body) {
  if (std::optional<canonical::Response> text_message = scan_text_message(body)) return std::move(*text_message);
  return decode_message_tree(body);
}

Result<canonical::Response> decode_message_tree(std::string_view body) {
  json_fields::ParsedJson document(body);
  json::error_code ec = document.error();
  json::value& parsed = document.root();
  const json::object* root = parsed.if_object();
  const json::value* content = root ? root->if_contains("content") : nullptr;
  if (ec || !content || !content->is_array()) {
    return make_error(ErrorKind::upstream_protocol, "the upstream sent a message without content", "upstream_bad_response");
  }
  canonical::Response out;
  out.id = json_fields::string_or_empty(*root, "id");
  out.model = json_fields::string_or_empty(*root, "model");
  for (const json::value& item : content->get_array()) {
    const json::object* block = item.if_object();
    if (!block) continue;
    std::string type = json_fields::string_or_empty(*block, "type");
    if (type == "text") {
      out.content.push_back(canonical::TextBlock{json_fields::string_or_empty(*block, "text")});
    } else if (type == "tool_use") {
      const json::value* input = block->if_contains("input");
      std::string arguments = input ? json::serialize(*input) : "{}";
      if (json_fields::string_or_empty(*block, "name") == kJsonTool) {
        out.content.push_back(canonical::TextBlock{std::move(arguments)});  // JSON mode's answer
      } else {
        out.content.push_back(canonical::ToolCallBlock{json_fields::string_or_empty(*block, "id"), json_fields::string_or_empty(*block, "name"), std::move(arguments)});
      }
    } else if (type == "thinking") {
      out.content.push_back(canonical::ThinkingBlock{json_fields::string_or_empty(*block, "thinking"), json_fields::string_or_empty(*block, "signature"), {}});
    } else if (type == "redacted_thinking") {
      out.content.push_back(canonical::ThinkingBlock{{}, {}, json_fields::string_or_empty(*block, "data")});
    }
  }
  out.stop_reason = stop_reason_from(json_fields::string_or_empty(*root, "stop_reason"));
  out.stop_sequence = json_fields::string_or_empty(*root, "stop_sequence");
  bool json_mode_answer = false;
  for (const json::value& item : content->get_array()) {
    if (item.is_object() && json_fields::string_or_empty(item.get_object(), "name") == kJsonTool) json_mode_answer = true;
  }
  if (json_mode_answer && out.stop_reason == canonical::StopReason::tool_use) out.stop_reason = canonical::StopReason::end_turn;
  if (const json::value* usage = root->if_contains("usage"); usage && usage->is_object()) {
    out.usage = parse_usage(usage->get_object());
  }
  return out;
}

void write_usage(JsonWriter& json, const Usage& usage) {
  json.begin_object()
      .member("input_tokens", usage.input_tokens - usage.cache_read_tokens - usage.cache_write_tokens)
      .member("output_tokens", usage.output_tokens)
      .member("cache_creation_input_tokens", usage.cache_write_tokens)
      .member("cache_read_input_tokens", usage.cache_read_tokens)
      .end_object();
}

// Written as text, not built as a DOM and serialized: the answer to every translated
// request for an Anthropic client.
std::string encode_message(const canonical::Response& response, std::string_view model) {
  std::string out;
  out.reserve(256);
  JsonWriter json(out);
  std::string id = response.id.starts_with("msg_") ? response.id : "msg_" + new_request_id();
  json.begin_object().member("id", id).member("type", "message").member("role", "assistant").member("model", model);
  json.key("content").begin_array();
  for (const auto& block : response.content) {
    if (auto* text = std::get_if<canonical::TextBlock>(&block)) {
      if (text->text.empty()) continue;
      json.begin_object().member("type", "text").member("text", text->text).end_object();
    } else if (auto* call = std::get_if<canonical::ToolCallBlock>(&block)) {
      json::error_code ec;
      json::value input = json_fields::parse_document(call->arguments, ec);
      if (ec || !input.is_object()) input = json::object{};
      json.begin_object().member("type", "tool_use").member("id", call->id).member("name", call->name);
      json.member("input", input).end_object();
    } else if (auto* thinking = std::get_if<canonical::ThinkingBlock>(&block)) {
      json.begin_object();
      if (!thinking->redacted_data.empty()) {
        json.member("type", "redacted_thinking").member("data", thinking->redacted_data);
      } else {
        json.member("type", "thinking").member("thinking", thinking->text).member("signature", thinking->signature);
      }
      json.end_object();
    }
  }
  json.end_array();
  json.member("stop_reason", stop_reason_name(response.stop_reason));
  json.key("stop_sequence");
  if (response.stop_sequence.empty()) {
    json.null();
  } else {
    json.string(response.stop_sequence);
  }
  json.key("usage");
  write_usage(json, response.usage);
  json.end_object();
  return out;
}

}  // namespace switchyard::anthropic
