#include "dialects/openai/chat_stream.h"

#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <cstdint>
#include <cstring>
#include <ctime>

#include "core/byte_scan.h"
#include "core/json_fields.h"
#include "core/json_parse.h"
#include "core/json_splice.h"
#include "core/request_id.h"
#include "dialects/openai/chat_response.h"
#include "dialects/openai/chunk_scan.h"
#include "dialects/openai/error.h"
#include "dialects/openai/usage.h"
#include "http/sse.h"

namespace switchyard::openai {
namespace json = boost::json;

namespace {

// Which of the members the tap acts on a chunk holds with a value other than null. Cheap
// enough to run on every chunk, so only the few that carry data get parsed. One pass from
// colon to colon: every key ends right before one, and colons are rare in a chunk where
// quotes are everywhere. (A quote inside a string is escaped, so `"usage"` right before a
// colon is a key.)
struct ChunkSignals {
  bool usage = false;
  bool error = false;
  bool finish_reason = false;
};

bool is_json_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

ChunkSignals probe_chunk(std::string_view frame) {
  ChunkSignals found;
  const char* begin = frame.data();
  const char* end = begin + frame.size();
  for_each_byte(frame, ':', [&](std::size_t offset) __attribute__((always_inline)) {
    std::string_view key(begin, offset);
    while (!key.empty() && is_json_space(key.back())) key.remove_suffix(1);
    // Most colons follow a key the tap ignores: tell them apart by the key's last letter
    // before comparing anything.
    if (key.size() < 7 || key.back() != '"') return true;
    bool* signal = nullptr;
    switch (key[key.size() - 2]) {
      case 'e': signal = key.ends_with("\"usage\"") ? &found.usage : nullptr; break;
      case 'r': signal = key.ends_with("\"error\"") ? &found.error : nullptr; break;
      case 'n': signal = key.ends_with("\"finish_reason\"") ? &found.finish_reason : nullptr; break;
      default: break;
    }
    if (!signal) return true;
    const char* value = begin + offset + 1;
    while (value < end && is_json_space(*value)) ++value;
    if (value < end && *value != 'n') *signal = true;  // present, and not null
    return true;
  });
  return found;
}

// The value of a JSON string token, unescaped only when it has escapes (a finish reason
// never does).
std::string json_string_value(std::string_view token) {
  std::string_view inner = token.substr(1, token.size() - 2);
  if (inner.find('\\') == std::string_view::npos) return std::string(inner);
  json::error_code ec;
  json::value parsed = json_fields::parse_document(token, ec);
  return !ec && parsed.is_string() ? std::string(parsed.get_string()) : std::string();
}

}  // namespace

bool ChatStreamTap::on_frame(std::string_view frame) {
  ChunkSignals signals = probe_chunk(frame);
  bool wants_usage = signals.usage;
  bool has_error = signals.error;
  bool has_finish = signals.finish_reason;
  if (!wants_usage && !has_error && !has_finish) {
    // The end marker is "data: [DONE]", perhaps with an id or event line: a short frame.
    // Searching every chunk for it cost two memchr calls each.
    if (frame.size() <= 128 && frame.find("[DONE]") != std::string_view::npos) {
      saw_done_ = http::parse_sse_frame(frame).data() == "[DONE]";
    }
    return true;
  }

  // One of the few chunks that carry data: read just those members off the text. The
  // frame goes to the client as it is; a chunk too broken to read teaches the tap nothing.
  http::SseEvent event = http::parse_sse_frame(frame);
  json_splice::MemberReader chunk(event.data());
  std::string_view key;
  std::string_view value;
  std::string_view choices;
  std::string_view usage;
  while (chunk.next(key, value)) {
    if (key == "error" && value != "null") saw_error_ = true;
    if (key == "choices") choices = value;
    if (key == "usage") usage = value;
  }
  json_splice::ElementReader choice_list(choices);
  bool usage_only = choice_list.is_array();  // until a choice turns up
  std::string_view choice;
  while (choice_list.next(choice)) {
    usage_only = false;
    json_splice::MemberReader members(choice);
    while (members.next(key, value)) {
      if (key == "finish_reason" && value.starts_with('"')) finish_reason_ = json_string_value(value);
    }
  }
  if (!usage.starts_with('{')) return true;
  usage_ = usage_from_text(usage);
  // The usage-only chunk (empty choices) exists because the gateway asked for it.
  return client_wants_usage_ || !usage_only;
}

}  // namespace switchyard::openai

namespace switchyard::openai {
void ChatStreamDecoder::emit_tail(std::vector<canonical::StreamEvent>& out) {
  if (done_) return;
  done_ = true;
  blocks_.close(out);
  out.push_back(canonical::MessageDelta{stop_reason_.value_or(canonical::StopReason::end_turn), {}, usage_});
  out.push_back(canonical::MessageStop{});
}

void ChatStreamDecoder::decode(const http::SseEvent& event, std::vector<canonical::StreamEvent>& out) {
  if (done_) return;
  if (event.data() == "[DONE]") {
    if (started_) emit_tail(out);
    done_ = true;
    return;
  }
  // Most chunks carry a piece of text and nothing else: read those off the parser's events.
  ChunkScan scan = scan_chunk(event.data(), !started_);
  if (!scan.valid) return;  // keep-alives and noise
  if (scan.needs_full_decode) {
    decode_full(event.data(), out);
    return;
  }
  if (!started_) {
    started_ = true;
    out.push_back(canonical::MessageStart{std::move(scan.id), std::move(scan.model), {}});
  }
  if (!scan.text.empty()) {
    std::size_t index = blocks_.ensure(canonical::BlockKind::text, out);
    out.push_back(canonical::BlockDelta{index, canonical::BlockDelta::Kind::text, std::move(scan.text)});
  }
}

void ChatStreamDecoder::decode_full(std::string_view data, std::vector<canonical::StreamEvent>& out) {
  json::error_code ec;
  const json::value& parsed = parser_.parse(data, ec);
  if (ec || !parsed.is_object()) return;
  const json::object& chunk = parsed.get_object();
  if (const json::value* error = chunk.if_contains("error"); error && error->is_object()) {
    const json::object& e = error->get_object();
    GatewayError decoded = make_error(ErrorKind::upstream_protocol, json_fields::string_or_empty(e, "message"), json_fields::string_or_empty(e, "code"));
    decoded.kind = ErrorKind::internal;
    decoded.status = 500;
    if (decoded.message.empty()) decoded.message = "the upstream reported an error mid-stream";
    out.push_back(canonical::StreamError{std::move(decoded)});
    done_ = true;
    return;
  }
  if (!started_) {
    started_ = true;
    out.push_back(canonical::MessageStart{json_fields::string_or_empty(chunk, "id"), json_fields::string_or_empty(chunk, "model"), {}});
  }
  if (const json::value* usage = chunk.if_contains("usage"); usage && usage->is_object()) usage_ = parse_usage(*usage);
  const json::value* choices = chunk.if_contains("choices");
  if (!choices || !choices->is_array() || choices->get_array().empty()) return;
  const json::object* choice = choices->get_array()[0].if_object();
  if (!choice) return;
  if (const json::value* delta_value = choice->if_contains("delta"); delta_value && delta_value->is_object()) {
    const json::object& delta = delta_value->get_object();
    std::string reasoning = json_fields::string_or_empty(delta, "reasoning_content");
    if (!reasoning.empty()) {
      std::size_t index = blocks_.ensure(canonical::BlockKind::thinking, out);
      out.push_back(canonical::BlockDelta{index, canonical::BlockDelta::Kind::thinking, std::move(reasoning)});
    }
    std::string content = json_fields::string_or_empty(delta, "content");
    if (!content.empty()) {
      std::size_t index = blocks_.ensure(canonical::BlockKind::text, out);
      out.push_back(canonical::BlockDelta{index, canonical::BlockDelta::Kind::text, std::move(content)});
    }
    if (const json::value* calls = delta.if_contains("tool_calls"); calls && calls->is_array()) {
      for (const json::value& call_value : calls->get_array()) {
        const json::object* call = call_value.if_object();
        if (!call) continue;
        const json::value* index_value = call->if_contains("index");
        std::size_t tool = index_value && index_value->is_int64() ? static_cast<std::size_t>(index_value->get_int64())
                                                                  : tool_blocks_.size();
        const json::object* function = nullptr;
        if (const json::value* f = call->if_contains("function"); f && f->is_object()) function = &f->get_object();
        std::string arguments = function ? json_fields::string_or_empty(*function, "arguments") : std::string();
        if (tool >= tool_blocks_.size()) {
          // The first fragment of a call names it; later ones only carry arguments.
          tool_blocks_.resize(tool + 1, SIZE_MAX);
        }
        if (tool_blocks_[tool] == SIZE_MAX) {
          tool_blocks_[tool] =
              blocks_.open(canonical::BlockKind::tool_call, out, json_fields::string_or_empty(*call, "id"),
                           function ? json_fields::string_or_empty(*function, "name") : std::string());
        }
        if (!arguments.empty()) {
          out.push_back(canonical::BlockDelta{tool_blocks_[tool], canonical::BlockDelta::Kind::arguments, std::move(arguments)});
        }
      }
    }
  }
  if (const json::value* reason = choice->if_contains("finish_reason"); reason && reason->is_string()) {
    stop_reason_ = stop_reason_from(reason->get_string());
  }
}

bool ChatStreamDecoder::finish(std::vector<canonical::StreamEvent>& out) {
  if (done_) return true;
  // Some OpenAI-compatible servers end without [DONE]; a finish_reason is enough.
  if (started_ && stop_reason_) {
    emit_tail(out);
    return true;
  }
  return false;
}

ChatStreamEncoder::ChatStreamEncoder(std::string model, bool include_usage)
    : id_("chatcmpl-" + new_request_id()), model_(std::move(model)),
      created_(static_cast<std::int64_t>(std::time(nullptr))), include_usage_(include_usage) {
  prefix_ = "data: {\"id\":" + json::serialize(std::string_view(id_)) +
            ",\"object\":\"chat.completion.chunk\",\"created\":" + std::to_string(created_) +
            ",\"model\":" + json::serialize(std::string_view(model_)) + ",\"choices\":[{\"index\":0,\"delta\":";
}

void ChatStreamEncoder::chunk(std::string_view delta_json, const char* finish_reason, std::string& out) const {
  out += prefix_;
  out += delta_json;
  out += ",\"logprobs\":null,\"finish_reason\":";
  if (finish_reason) {
    out += '"';
    out += finish_reason;  // one of OpenAI's fixed names: nothing to escape
    out += '"';
  } else {
    out += "null";
  }
  out += include_usage_ ? "}],\"usage\":null}\n\n" : "}]}\n\n";
}

void ChatStreamEncoder::encode(const canonical::StreamEvent& event, std::string& out) {
  if (std::holds_alternative<canonical::MessageStart>(event)) {
    chunk(R"({"role":"assistant","content":"","refusal":null})", nullptr, out);
  } else if (auto* start = std::get_if<canonical::BlockStart>(&event)) {
    if (start->kind != canonical::BlockKind::tool_call) return;
    if (tool_index_.size() <= start->index) tool_index_.resize(start->index + 1);
    std::size_t tool = tools_++;
    tool_index_[start->index] = tool;
    json::object call{{"index", tool},
                      {"id", start->tool_call_id},
                      {"type", "function"},
                      {"function", json::object{{"name", start->tool_name}, {"arguments", ""}}}};
    chunk(json::serialize(json::object{{"tool_calls", json::array{std::move(call)}}}), nullptr, out);
  } else if (auto* delta = std::get_if<canonical::BlockDelta>(&event)) {
    if (delta->kind == canonical::BlockDelta::Kind::text) {
      chunk("{\"content\":" + json::serialize(std::string_view(delta->text)) + "}", nullptr, out);
    } else if (delta->kind == canonical::BlockDelta::Kind::arguments && delta->index < tool_index_.size() &&
               tool_index_[delta->index]) {
      json::object call{{"index", *tool_index_[delta->index]}, {"function", json::object{{"arguments", delta->text}}}};
      chunk(json::serialize(json::object{{"tool_calls", json::array{std::move(call)}}}), nullptr, out);
    }
    // Thinking has no place in the OpenAI chunk format; it is not relayed.
  } else if (auto* message = std::get_if<canonical::MessageDelta>(&event)) {
    usage_ = message->usage;
    chunk("{}", finish_reason_for(message->stop_reason).data(), out);
  } else if (std::holds_alternative<canonical::MessageStop>(event)) {
    if (include_usage_) {
      out += "data: ";
      JsonWriter json(out);
      json.begin_object().member("id", id_).member("object", "chat.completion.chunk").member("created", created_);
      json.member("model", model_).key("choices").begin_array().end_array().key("usage");
      write_usage(json, usage_);
      json.end_object();
      out += "\n\n";
    }
    out += "data: [DONE]\n\n";
  } else if (auto* error = std::get_if<canonical::StreamError>(&event)) {
    out += error_frame(error->error);
  }
}

}  // namespace switchyard::openai
