#include "dialects/openai/chat_stream.h"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <cstdint>
#include <cstring>
#include <ctime>

#include "core/json_fields.h"
#include "core/json_parse.h"
#include "core/request_id.h"
#include "dialects/openai/chat_response.h"
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
  for (const char* colon = begin;; ++colon) {
    colon = static_cast<const char*>(std::memchr(colon, ':', static_cast<std::size_t>(end - colon)));
    if (!colon) break;
    const char* value = colon + 1;
    while (value < end && is_json_space(*value)) ++value;
    if (value == end || *value == 'n') continue;
    std::string_view key(begin, static_cast<std::size_t>(colon - begin));
    while (!key.empty() && is_json_space(key.back())) key.remove_suffix(1);
    if (key.ends_with("\"usage\"")) found.usage = true;
    if (key.ends_with("\"error\"")) found.error = true;
    if (key.ends_with("\"finish_reason\"")) found.finish_reason = true;
  }
  return found;
}

}  // namespace

bool ChatStreamTap::on_frame(std::string_view frame) {
  ChunkSignals signals = probe_chunk(frame);
  bool wants_usage = signals.usage;
  bool has_error = signals.error;
  bool has_finish = signals.finish_reason;
  if (!wants_usage && !has_error && !has_finish) {
    if (frame.find("[DONE]") != std::string_view::npos) saw_done_ = http::parse_sse_frame(frame).data == "[DONE]";
    return true;
  }

  http::SseEvent event = http::parse_sse_frame(frame);
  json_fields::ParsedJson document(event.data);
  json::error_code ec = document.error();
  json::value& chunk = document.root();
  if (ec || !chunk.is_object()) return true;
  const json::object& object = chunk.get_object();

  if (const json::value* error = object.if_contains("error"); error && !error->is_null()) saw_error_ = true;
  if (const json::value* choices = object.if_contains("choices"); choices && choices->is_array()) {
    for (const json::value& choice : choices->get_array()) {
      const json::value* reason = choice.is_object() ? choice.get_object().if_contains("finish_reason") : nullptr;
      if (reason && reason->is_string()) finish_reason_ = std::string(reason->get_string());
    }
  }
  const json::value* usage = object.if_contains("usage");
  if (!usage || !usage->is_object()) return true;
  usage_ = parse_usage(*usage);
  // The usage-only chunk (empty choices) exists because the gateway asked for it.
  const json::value* choices = object.if_contains("choices");
  bool usage_only = choices && choices->is_array() && choices->get_array().empty();
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
  if (event.data == "[DONE]") {
    if (started_) emit_tail(out);
    done_ = true;
    return;
  }
  json::error_code ec;
  const json::value& parsed = parser_.parse(event.data, ec);
  if (ec || !parsed.is_object()) return;  // keep-alives and noise
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
      json::object frame{{"id", id_},
                         {"object", "chat.completion.chunk"},
                         {"created", created_},
                         {"model", model_},
                         {"choices", json::array{}},
                         {"usage", usage_object(usage_)}};
      out += "data: " + json::serialize(frame) + "\n\n";
    }
    out += "data: [DONE]\n\n";
  } else if (auto* error = std::get_if<canonical::StreamError>(&event)) {
    out += error_frame(error->error);
  }
}

}  // namespace switchyard::openai
