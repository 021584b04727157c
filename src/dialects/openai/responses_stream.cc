#include "dialects/openai/responses_stream.h"

#include <boost/json/value.hpp>

#include "core/json_fields.h"
#include "core/json_splice.h"
#include "dialects/openai/usage.h"
#include "core/json_writer.h"
#include "http/sse.h"

namespace switchyard::openai {
namespace json = boost::json;

namespace {

// The event's type: its `event:` line, else the `type` member of its data.
std::string event_type(const http::SseEvent& event, const json::object* data) {
  if (!event.event.empty()) return std::string(event.event);
  return data ? json_fields::string_or_empty(*data, "type") : std::string();
}

canonical::StopReason stop_reason_of(const json::object& response, bool called) {
  if (json_fields::string_or_empty(response, "status") == "incomplete") {
    const json::object* details = json_fields::object_or_null(response, "incomplete_details");
    bool filtered = details && json_fields::string_or_empty(*details, "reason") == "content_filter";
    return filtered ? canonical::StopReason::content_filter : canonical::StopReason::max_tokens;
  }
  return called ? canonical::StopReason::tool_use : canonical::StopReason::end_turn;
}

}  // namespace

// ---- encoder ----

ResponsesStreamEncoder::ResponsesStreamEncoder(std::string model) : model_(std::move(model)), ids_(ResponseIds::fresh()) {}

template <class Body>
void ResponsesStreamEncoder::frame(std::string_view type, std::string& out, Body body) {
  out += "event: ";
  out += type;
  out += "\ndata: ";
  JsonWriter json(out);
  json.begin_object().member("type", type).member("sequence_number", sequence_++);
  body(json);
  json.end_object();
  out += "\n\n";
}

void ResponsesStreamEncoder::response_frame(std::string_view type, std::string_view status, std::string& out) {
  bool final = status != "in_progress";
  // response.created and response.in_progress restate the same object: it is written once.
  std::string response;
  if (!final && !in_progress_.empty()) {
    response = in_progress_;
  } else {
    JsonWriter json(response);
    write_response_object(json, ids_, model_, status, output_, stop_reason_, final ? &usage_ : nullptr, false);
    if (!final) in_progress_ = response;
  }
  out += "event: ";
  out += type;
  out += "\ndata: {\"type\":";
  append_json_string(out, type);
  out += ",\"sequence_number\":" + std::to_string(sequence_++) + ",\"response\":";
  out += response;
  out += "}\n\n";
  if (final) final_answer_ = std::move(response);
}

void ResponsesStreamEncoder::open_block(const canonical::BlockStart& start, std::string& out) {
  if (output_.size() <= start.index) output_.resize(start.index + 1);
  canonical::Block& block = output_[start.index];
  switch (start.kind) {
    case canonical::BlockKind::text: block = canonical::TextBlock{}; break;
    case canonical::BlockKind::tool_call:
      block = canonical::ToolCallBlock{start.tool_call_id, start.tool_name, {}};
      break;
    case canonical::BlockKind::thinking: block = canonical::ThinkingBlock{}; break;
  }
  const std::string& id = ids_.item(start.index, block);
  auto index = static_cast<std::int64_t>(start.index);
  frame("response.output_item.added", out, [&](JsonWriter& json) {
    json.member("output_index", index).key("item");
    write_output_item(json, id, block, "in_progress", false);
  });
  if (start.kind == canonical::BlockKind::text) {
    frame("response.content_part.added", out, [&](JsonWriter& json) {
      json.member("item_id", id).member("output_index", index).member("content_index", std::int64_t{0});
      json.key("part").begin_object().member("type", "output_text").member("text", "");
      json.key("annotations").begin_array().end_array().end_object();
    });
  } else if (start.kind == canonical::BlockKind::thinking) {
    frame("response.reasoning_summary_part.added", out, [&](JsonWriter& json) {
      json.member("item_id", id).member("output_index", index).member("summary_index", std::int64_t{0});
      json.key("part").begin_object().member("type", "summary_text").member("text", "").end_object();
    });
  }
}

void ResponsesStreamEncoder::close_block(std::size_t index, std::string& out) {
  if (index >= output_.size()) return;
  const canonical::Block& block = output_[index];
  const std::string& id = ids_.item(index, block);
  auto at = static_cast<std::int64_t>(index);
  if (auto* text = std::get_if<canonical::TextBlock>(&block)) {
    frame("response.output_text.done", out, [&](JsonWriter& json) {
      json.member("item_id", id).member("output_index", at).member("content_index", std::int64_t{0});
      json.member("text", text->text).key("logprobs").begin_array().end_array();
    });
    frame("response.content_part.done", out, [&](JsonWriter& json) {
      json.member("item_id", id).member("output_index", at).member("content_index", std::int64_t{0});
      json.key("part").begin_object().member("type", "output_text").member("text", text->text);
      json.key("annotations").begin_array().end_array().end_object();
    });
  } else if (auto* call = std::get_if<canonical::ToolCallBlock>(&block)) {
    frame("response.function_call_arguments.done", out, [&](JsonWriter& json) {
      json.member("item_id", id).member("output_index", at).member("arguments", call->arguments);
    });
  } else if (auto* thinking = std::get_if<canonical::ThinkingBlock>(&block)) {
    frame("response.reasoning_summary_text.done", out, [&](JsonWriter& json) {
      json.member("item_id", id).member("output_index", at).member("summary_index", std::int64_t{0});
      json.member("text", thinking->text);
    });
    frame("response.reasoning_summary_part.done", out, [&](JsonWriter& json) {
      json.member("item_id", id).member("output_index", at).member("summary_index", std::int64_t{0});
      json.key("part").begin_object().member("type", "summary_text").member("text", thinking->text).end_object();
    });
  }
  frame("response.output_item.done", out, [&](JsonWriter& json) {
    json.member("output_index", at).key("item");
    write_output_item(json, id, block, "completed", false);
  });
}

void ResponsesStreamEncoder::encode(const canonical::StreamEvent& event, std::string& out) {
  if (failed_) return;
  if (std::holds_alternative<canonical::MessageStart>(event)) {
    response_frame("response.created", "in_progress", out);
    response_frame("response.in_progress", "in_progress", out);
  } else if (auto* start = std::get_if<canonical::BlockStart>(&event)) {
    open_block(*start, out);
  } else if (auto* delta = std::get_if<canonical::BlockDelta>(&event)) {
    if (delta->index >= output_.size()) return;
    canonical::Block& block = output_[delta->index];
    const std::string& id = ids_.item(delta->index, block);
    auto at = static_cast<std::int64_t>(delta->index);
    if (auto* text = std::get_if<canonical::TextBlock>(&block); text && delta->kind == canonical::BlockDelta::Kind::text) {
      text->text += delta->text;
      // One frame per token: the members that stay the same for the block are written once.
      if (text_delta_block_ != delta->index || text_delta_members_.empty()) {
        text_delta_block_ = delta->index;
        text_delta_members_.clear();
        JsonWriter members(text_delta_members_);
        members.begin_object().member("item_id", id).member("output_index", at).member("content_index", std::int64_t{0});
        text_delta_members_.erase(0, 1);  // the opening brace: these follow the sequence number
      }
      out += "event: response.output_text.delta\ndata: {\"type\":\"response.output_text.delta\",\"sequence_number\":";
      out += std::to_string(sequence_++);
      out += ',';
      out += text_delta_members_;
      out += ",\"delta\":";
      append_json_string(out, delta->text);
      out += ",\"logprobs\":[]}\n\n";
    } else if (auto* call = std::get_if<canonical::ToolCallBlock>(&block)) {
      call->arguments += delta->text;
      frame("response.function_call_arguments.delta", out, [&](JsonWriter& json) {
        json.member("item_id", id).member("output_index", at).member("delta", delta->text);
      });
    } else if (auto* thinking = std::get_if<canonical::ThinkingBlock>(&block)) {
      if (delta->kind == canonical::BlockDelta::Kind::signature) {
        thinking->signature += delta->text;
        return;
      }
      thinking->text += delta->text;
      frame("response.reasoning_summary_text.delta", out, [&](JsonWriter& json) {
        json.member("item_id", id).member("output_index", at).member("summary_index", std::int64_t{0});
        json.member("delta", delta->text);
      });
    }
  } else if (auto* stop = std::get_if<canonical::BlockStop>(&event)) {
    close_block(stop->index, out);
  } else if (auto* message = std::get_if<canonical::MessageDelta>(&event)) {
    stop_reason_ = message->stop_reason;
    usage_ = message->usage;
  } else if (std::holds_alternative<canonical::MessageStop>(event)) {
    std::string_view status = response_status_for(stop_reason_);
    response_frame(status == "incomplete" ? "response.incomplete" : "response.completed", status, out);
  } else if (auto* error = std::get_if<canonical::StreamError>(&event)) {
    failed_ = true;
    out += responses_error_event(error->error, sequence_++);
  }
}

std::string responses_error_event(const GatewayError& error, std::int64_t sequence_number) {
  std::string_view code = error.code.empty() ? "server_error" : std::string_view(error.code);
  std::string out = "event: error\ndata: ";
  JsonWriter json(out);
  json.begin_object().member("type", "error").member("sequence_number", sequence_number).member("code", code);
  json.member("message", error.message).key("param").null().end_object();
  out += "\n\n";
  return out;
}

// ---- decoder ----

std::optional<std::size_t> ResponsesStreamDecoder::block_of(std::int64_t output_index) const {
  for (const auto& [output, block] : block_by_output_) {
    if (output == output_index) return block;
  }
  return std::nullopt;
}

std::size_t ResponsesStreamDecoder::open(std::int64_t output_index, canonical::BlockStart start,
                                         std::vector<canonical::StreamEvent>& out) {
  if (open_block_) out.push_back(canonical::BlockStop{*open_block_});
  start.index = blocks_++;
  open_block_ = start.index;
  block_by_output_.emplace_back(output_index, start.index);
  out.push_back(std::move(start));
  return *open_block_;
}

void ResponsesStreamDecoder::decode(const http::SseEvent& event, std::vector<canonical::StreamEvent>& out) {
  if (done_ || event.data().empty()) return;
  json::error_code ec;
  const json::value& parsed = parser_.parse(event.data(), ec);
  const json::object* data = ec ? nullptr : parsed.if_object();
  if (!data) return;
  std::string type = event_type(event, data);
  std::int64_t output_index = json_fields::int_or_zero(*data, "output_index");
  auto delta = [&](canonical::BlockKind kind, canonical::BlockDelta::Kind delta_kind) {
    std::optional<std::size_t> block = block_of(output_index);
    if (!block || block != open_block_) block = open(output_index, canonical::BlockStart{0, kind, {}, {}}, out);
    out.push_back(canonical::BlockDelta{*block, delta_kind, json_fields::string_or_empty(*data, "delta")});
  };

  if (type == "response.created") {
    const json::object* response = json_fields::object_or_null(*data, "response");
    if (!started_) {
      out.push_back(canonical::MessageStart{response ? json_fields::string_or_empty(*response, "id") : "",
                                            response ? json_fields::string_or_empty(*response, "model") : "", {}});
    }
    started_ = true;
  } else if (type == "response.output_item.added") {
    const json::object* item = json_fields::object_or_null(*data, "item");
    std::string item_type = item ? json_fields::string_or_empty(*item, "type") : "";
    if (item_type == "function_call") {
      called_ = true;
      open(output_index,
           canonical::BlockStart{0, canonical::BlockKind::tool_call, json_fields::string_or_empty(*item, "call_id"),
                                 json_fields::string_or_empty(*item, "name")},
           out);
    } else if (item_type == "reasoning") {
      open(output_index, canonical::BlockStart{0, canonical::BlockKind::thinking, {}, {}}, out);
    }
  } else if (type == "response.content_part.added") {
    if (!block_of(output_index)) open(output_index, canonical::BlockStart{0, canonical::BlockKind::text, {}, {}}, out);
  } else if (type == "response.output_text.delta" || type == "response.refusal.delta") {
    delta(canonical::BlockKind::text, canonical::BlockDelta::Kind::text);
  } else if (type == "response.function_call_arguments.delta") {
    delta(canonical::BlockKind::tool_call, canonical::BlockDelta::Kind::arguments);
  } else if (type == "response.reasoning_summary_text.delta" || type == "response.reasoning_text.delta") {
    delta(canonical::BlockKind::thinking, canonical::BlockDelta::Kind::thinking);
  } else if (type == "response.output_item.done") {
    const json::object* item = json_fields::object_or_null(*data, "item");
    std::optional<std::size_t> block = block_of(output_index);
    if (item && block && json_fields::string_or_empty(*item, "type") == "reasoning") {
      std::string signature = json_fields::string_or_empty(*item, "encrypted_content");
      if (!signature.empty()) {
        out.push_back(canonical::BlockDelta{*block, canonical::BlockDelta::Kind::signature, std::move(signature)});
      }
    }
    if (block && block == open_block_) {
      out.push_back(canonical::BlockStop{*block});
      open_block_.reset();
    }
  } else if (type == "response.completed" || type == "response.incomplete") {
    if (open_block_) out.push_back(canonical::BlockStop{*open_block_});
    open_block_.reset();
    const json::object* response = json_fields::object_or_null(*data, "response");
    canonical::MessageDelta end;
    if (response) {
      end.stop_reason = stop_reason_of(*response, called_);
      if (const json::value* usage = response->if_contains("usage")) end.usage = parse_responses_usage(*usage);
    }
    out.push_back(std::move(end));
    out.push_back(canonical::MessageStop{});
    done_ = true;
  } else if (type == "response.failed" || type == "error") {
    const json::object* response = json_fields::object_or_null(*data, "response");
    const json::object* error = response ? json_fields::object_or_null(*response, "error") : data;
    GatewayError failure = make_error(ErrorKind::upstream_protocol,
                                      error ? json_fields::string_or_empty(*error, "message") : "the response failed",
                                      error ? json_fields::string_or_empty(*error, "code") : "");
    if (failure.message.empty()) failure.message = "the upstream's response failed";
    if (failure.code.empty()) failure.code = "upstream_stream_error";
    out.push_back(canonical::StreamError{std::move(failure)});
    done_ = true;
  }
}

bool ResponsesStreamDecoder::finish(std::vector<canonical::StreamEvent>&) { return done_; }

// ---- tap and preamble ----

void ResponsesStreamTap::on_frame(std::string_view frame) {
  http::SseEvent event = http::parse_sse_frame(frame);
  std::string_view type = event.event;
  bool terminal = type == "response.completed" || type == "response.incomplete" || type == "response.failed";
  if (type == "error" || type == "response.failed") saw_error_ = true;
  if (type == "response.created" && response_id_.empty()) {
    std::string_view data = event.data();
    if (auto response = json_splice::find_member(data, "response")) {
      std::string_view object = data.substr(response->value_begin, response->value_end - response->value_begin);
      if (auto id = json_splice::find_member(object, "id")) {
        std::string_view value = object.substr(id->value_begin, id->value_end - id->value_begin);
        if (value.size() >= 2 && value.front() == '"' && value.find('\\') == std::string_view::npos) {
          response_id_ = std::string(value.substr(1, value.size() - 2));
        }
      }
    }
  }
  if (!terminal) return;
  // The final response restates every item: its usage, the last member, is found from the end
  // and read off the parser's events rather than the whole answer built into a DOM.
  std::string_view data = event.data();
  auto response = json_splice::find_last_member(data, "response");
  if (!response) return;
  std::string_view object = data.substr(response->value_begin, response->value_end - response->value_begin);
  auto usage = json_splice::find_last_member(object, "usage");
  if (!usage) return;
  Usage read = usage_from_responses_text(object.substr(usage->value_begin, usage->value_end - usage->value_begin));
  if (read.reported) usage_ = read;
}

bool is_responses_preamble_frame(std::string_view frame) {
  http::SseEvent event = http::parse_sse_frame(frame);
  if (event.data().empty()) return true;
  std::string_view type = event.event;
  if (type == "response.created" || type == "response.in_progress" || type == "response.content_part.added" ||
      type == "response.reasoning_summary_part.added") {
    return true;
  }
  // A message or reasoning item announced is not yet content; a function call named is.
  if (type == "response.output_item.added") return event.data().find("\"type\":\"function_call\"") == std::string_view::npos;
  return false;
}

}  // namespace switchyard::openai
