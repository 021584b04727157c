#include "dialects/anthropic/messages_stream.h"

#include <boost/json/parse.hpp>
#include <charconv>

#include "core/json_fields.h"
#include "core/json_parse.h"
#include "core/json_writer.h"
#include "core/request_id.h"
#include "dialects/anthropic/error.h"
#include "dialects/anthropic/event_scan.h"
#include "dialects/anthropic/messages_request.h"
#include "dialects/anthropic/messages_response.h"

namespace switchyard::anthropic {
namespace json = boost::json;

namespace {

std::size_t index_of(const json::object& object) {
  const json::value* value = object.if_contains("index");
  return value && value->is_int64() ? static_cast<std::size_t>(value->get_int64()) : 0;
}

// message_delta usage is cumulative and may restate input counts; merge what is present.
void merge_usage(Usage& usage, const json::object& delta) {
  Usage update = parse_usage(delta);
  usage.reported = true;
  if (delta.contains("output_tokens")) usage.output_tokens = update.output_tokens;
  if (delta.contains("input_tokens")) {
    usage.cache_read_tokens = update.cache_read_tokens;
    usage.cache_write_tokens = update.cache_write_tokens;
    usage.input_tokens = update.input_tokens;
  }
}

// "event: TYPE\ndata: " then what `write_data` writes (the event's JSON), then the blank line.
template <class WriteData>
void frame(std::string_view type, std::string& out, WriteData write_data) {
  out += "event: ";
  out += type;
  out += "\ndata: ";
  JsonWriter json(out);
  write_data(json);
  out += "\n\n";
}

}  // namespace

void MessagesStreamDecoder::decode(const http::SseEvent& event, std::vector<canonical::StreamEvent>& out) {
  if (done_) return;
  // An event named as something else is read whole, once.
  if (!event.event.empty() && event.event != "content_block_delta") return decode_full(event, out);
  // Most events are a piece of text: read those off the parser's events.
  EventScan scan = scan_event(event.data());
  if (!scan.valid) return;
  std::string_view type = event.event.empty() ? std::string_view(scan.type) : std::string_view(event.event);
  if (type == "content_block_delta" && scan.text_delta) {
    if (!skipped_blocks_.count(scan.index)) {
      out.push_back(canonical::BlockDelta{scan.index, canonical::BlockDelta::Kind::text, std::move(scan.text)});
    }
    return;
  }
  decode_full(event, out);
}

void MessagesStreamDecoder::decode_full(const http::SseEvent& event, std::vector<canonical::StreamEvent>& out) {
  json::error_code ec;
  const json::value& parsed = parser_.parse(event.data(), ec);
  if (ec || !parsed.is_object()) return;
  const json::object& data = parsed.get_object();
  std::string type = event.event.empty() ? json_fields::string_or_empty(data, "type") : std::string(event.event);

  if (type == "message_start") {
    const json::object* message = json_fields::object_or_null(data, "message");
    canonical::MessageStart start;
    if (message) {
      start.id = json_fields::string_or_empty(*message, "id");
      start.model = json_fields::string_or_empty(*message, "model");
      if (const json::object* usage = json_fields::object_or_null(*message, "usage")) usage_ = parse_usage(*usage);
    }
    start.usage = usage_;
    out.push_back(std::move(start));
  } else if (type == "content_block_start") {
    std::size_t index = index_of(data);
    const json::object* block = json_fields::object_or_null(data, "content_block");
    std::string kind = block ? json_fields::string_or_empty(*block, "type") : std::string();
    if (kind == "text") {
      out.push_back(canonical::BlockStart{index, canonical::BlockKind::text, {}, {}});
    } else if (kind == "tool_use" && json_fields::string_or_empty(*block, "name") == kJsonTool) {
      json_mode_blocks_.insert(index);
      out.push_back(canonical::BlockStart{index, canonical::BlockKind::text, {}, {}});
    } else if (kind == "tool_use") {
      out.push_back(canonical::BlockStart{index, canonical::BlockKind::tool_call, json_fields::string_or_empty(*block, "id"), json_fields::string_or_empty(*block, "name")});
    } else if (kind == "thinking" || kind == "redacted_thinking") {
      out.push_back(canonical::BlockStart{index, canonical::BlockKind::thinking, {}, {}});
    } else {
      skipped_blocks_.insert(index);
    }
  } else if (type == "content_block_delta") {
    std::size_t index = index_of(data);
    const json::object* delta = json_fields::object_or_null(data, "delta");
    if (!delta || skipped_blocks_.count(index)) return;
    std::string kind = json_fields::string_or_empty(*delta, "type");
    using Kind = canonical::BlockDelta::Kind;
    if (kind == "text_delta") {
      out.push_back(canonical::BlockDelta{index, Kind::text, json_fields::string_or_empty(*delta, "text")});
    } else if (kind == "input_json_delta") {
      std::string partial = json_fields::string_or_empty(*delta, "partial_json");
      if (partial.empty()) return;
      Kind as = json_mode_blocks_.count(index) ? Kind::text : Kind::arguments;
      out.push_back(canonical::BlockDelta{index, as, std::move(partial)});
    } else if (kind == "thinking_delta") {
      out.push_back(canonical::BlockDelta{index, Kind::thinking, json_fields::string_or_empty(*delta, "thinking")});
    } else if (kind == "signature_delta") {
      out.push_back(canonical::BlockDelta{index, Kind::signature, json_fields::string_or_empty(*delta, "signature")});
    }
  } else if (type == "content_block_stop") {
    std::size_t index = index_of(data);
    if (!skipped_blocks_.count(index)) out.push_back(canonical::BlockStop{index});
  } else if (type == "message_delta") {
    canonical::MessageDelta delta;
    if (const json::object* fields = json_fields::object_or_null(data, "delta")) {
      delta.stop_reason = stop_reason_from(json_fields::string_or_empty(*fields, "stop_reason"));
      delta.stop_sequence = json_fields::string_or_empty(*fields, "stop_sequence");
    }
    if (!json_mode_blocks_.empty() && delta.stop_reason == canonical::StopReason::tool_use) {
      delta.stop_reason = canonical::StopReason::end_turn;
    }
    if (const json::object* usage = json_fields::object_or_null(data, "usage")) merge_usage(usage_, *usage);
    delta.usage = usage_;
    out.push_back(std::move(delta));
  } else if (type == "message_stop") {
    out.push_back(canonical::MessageStop{});
    done_ = true;
  } else if (type == "error") {
    int status = 500;
    if (const json::object* error = json_fields::object_or_null(data, "error"); error && json_fields::string_or_empty(*error, "type") == "overloaded_error") status = 529;
    out.push_back(canonical::StreamError{decode_error(status, event.data())});
    done_ = true;
  }
}

bool MessagesStreamDecoder::finish(std::vector<canonical::StreamEvent>&) { return done_; }

void MessagesStreamEncoder::encode(const canonical::StreamEvent& event, std::string& out) {
  // Every frame is written as text, byte for byte what serializing its DOM gave: one event
  // per token for the deltas, and a DOM per frame cost more than decoding the upstream's.
  if (auto* start = std::get_if<canonical::MessageStart>(&event)) {
    std::string id = start->id.starts_with("msg_") ? start->id : "msg_" + new_request_id();
    frame("message_start", out, [&](JsonWriter& json) {
      json.begin_object().member("type", "message_start").key("message").begin_object();
      json.member("id", id).member("type", "message").member("role", "assistant").member("model", model_);
      json.key("content").begin_array().end_array().key("stop_reason").null().key("stop_sequence").null();
      json.key("usage");
      write_usage(json, start->usage);
      json.end_object().end_object();
    });
  } else if (auto* block = std::get_if<canonical::BlockStart>(&event)) {
    frame("content_block_start", out, [&](JsonWriter& json) {
      json.begin_object().member("type", "content_block_start");
      json.member("index", static_cast<std::int64_t>(block->index)).key("content_block").begin_object();
      switch (block->kind) {
        case canonical::BlockKind::text: json.member("type", "text").member("text", ""); break;
        case canonical::BlockKind::tool_call:
          json.member("type", "tool_use").member("id", block->tool_call_id).member("name", block->tool_name);
          json.key("input").begin_object().end_object();
          break;
        case canonical::BlockKind::thinking: json.member("type", "thinking").member("thinking", "").member("signature", ""); break;
      }
      json.end_object().end_object();
    });
  } else if (auto* delta = std::get_if<canonical::BlockDelta>(&event)) {
    // One event per token: written directly, not through a DOM (which cost more than
    // decoding the upstream's event).
    std::string_view type;
    std::string_view field;
    switch (delta->kind) {
      case canonical::BlockDelta::Kind::text: type = "text_delta", field = "text"; break;
      case canonical::BlockDelta::Kind::arguments: type = "input_json_delta", field = "partial_json"; break;
      case canonical::BlockDelta::Kind::thinking: type = "thinking_delta", field = "thinking"; break;
      case canonical::BlockDelta::Kind::signature: type = "signature_delta", field = "signature"; break;
    }
    char digits[20];
    out += "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":";
    out.append(digits, std::to_chars(digits, digits + sizeof digits, delta->index).ptr);
    out += ",\"delta\":{\"type\":\"";
    out += type;
    out += "\",\"";
    out += field;
    out += "\":";
    append_json_string(out, delta->text);
    out += "}}\n\n";
  } else if (auto* stop = std::get_if<canonical::BlockStop>(&event)) {
    frame("content_block_stop", out, [&](JsonWriter& json) {
      json.begin_object().member("type", "content_block_stop").member("index", static_cast<std::int64_t>(stop->index));
      json.end_object();
    });
  } else if (auto* message = std::get_if<canonical::MessageDelta>(&event)) {
    frame("message_delta", out, [&](JsonWriter& json) {
      json.begin_object().member("type", "message_delta").key("delta").begin_object();
      json.member("stop_reason", stop_reason_name(message->stop_reason)).key("stop_sequence");
      if (message->stop_sequence.empty()) {
        json.null();
      } else {
        json.string(message->stop_sequence);
      }
      json.end_object().key("usage");
      write_usage(json, message->usage);
      json.end_object();
    });
  } else if (std::holds_alternative<canonical::MessageStop>(event)) {
    frame("message_stop", out, [](JsonWriter& json) { json.begin_object().member("type", "message_stop").end_object(); });
  } else if (auto* error = std::get_if<canonical::StreamError>(&event)) {
    out += error_frame(error->error);
  }
}

void MessagesStreamTap::on_frame(std::string_view raw) {
  bool interesting = raw.find("\"usage\"") != std::string_view::npos || raw.find("event: error") != std::string_view::npos;
  if (!interesting) return;
  http::SseEvent event = http::parse_sse_frame(raw);
  if (event.event == "error") {
    saw_error_ = true;
    return;
  }
  json_fields::ParsedJson document(event.data());
  json::error_code ec = document.error();
  json::value& parsed = document.root();
  if (ec || !parsed.is_object()) return;
  const json::object& data = parsed.get_object();
  if (event.event == "message_start") {
    if (const json::object* message = json_fields::object_or_null(data, "message")) {
      if (const json::object* usage = json_fields::object_or_null(*message, "usage")) usage_ = parse_usage(*usage);
    }
  } else if (event.event == "message_delta") {
    if (const json::object* usage = json_fields::object_or_null(data, "usage")) merge_usage(usage_, *usage);
  }
}

}  // namespace switchyard::anthropic
