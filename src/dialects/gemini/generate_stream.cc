#include "dialects/gemini/generate_stream.h"

#include <boost/json/serialize.hpp>

#include "core/json_fields.h"
#include "core/json_parse.h"
#include "core/request_id.h"
#include "dialects/gemini/error.h"
#include "dialects/gemini/generate_response.h"

namespace switchyard::gemini {
namespace json = boost::json;

void GenerateStreamDecoder::decode(const http::SseEvent& event, std::vector<canonical::StreamEvent>& out) {
  if (done_) return;
  json::error_code ec;
  const json::value& parsed = parser_.parse(event.data(), ec);
  if (ec || !parsed.is_object()) return;
  const json::object& chunk = parsed.get_object();
  if (const json::value* error = chunk.if_contains("error"); error && error->is_object()) {
    int status = 500;
    if (const json::value* code = error->get_object().if_contains("code"); code && code->is_int64()) {
      status = static_cast<int>(code->get_int64());
    }
    out.push_back(canonical::StreamError{decode_error(status, event.data())});
    done_ = true;
    return;
  }
  if (const json::value* usage = chunk.if_contains("usageMetadata"); usage && usage->is_object()) {
    usage_ = parse_usage(usage->get_object());  // a running total: the latest is the answer
  }
  if (!started_) {
    started_ = true;
    // Gemini reports the prompt's count on its first chunk: the input side goes out at the start,
    // where Anthropic clients (LangChain's ChatAnthropic) read it.
    Usage input_side;
    input_side.input_tokens = usage_.input_tokens;
    input_side.cache_read_tokens = usage_.cache_read_tokens;
    input_side.reported = usage_.reported;
    out.push_back(canonical::MessageStart{json_fields::string_or_empty(chunk, "responseId"),
                                          json_fields::string_or_empty(chunk, "modelVersion"), input_side});
  }
  const json::value* candidates = chunk.if_contains("candidates");
  if (!candidates || !candidates->is_array() || candidates->get_array().empty()) {
    if (chunk.contains("promptFeedback")) finish_reason_ = "SAFETY";
    return;
  }
  const json::object* candidate = candidates->get_array()[0].if_object();
  if (!candidate) return;
  const json::value* content = candidate->if_contains("content");
  const json::value* parts = content && content->is_object() ? content->get_object().if_contains("parts") : nullptr;
  if (parts && parts->is_array()) {
    for (const json::value& part_value : parts->get_array()) {
      const json::object* part = part_value.if_object();
      if (!part) continue;
      if (const json::value* text = part->if_contains("text"); text && text->is_string()) {
        if (text->get_string().empty()) continue;
        bool thought = part->contains("thought") && part->at("thought").is_bool() && part->at("thought").get_bool();
        auto kind = thought ? canonical::BlockKind::thinking : canonical::BlockKind::text;
        std::size_t index = blocks_.ensure(kind, out);
        auto delta_kind = thought ? canonical::BlockDelta::Kind::thinking : canonical::BlockDelta::Kind::text;
        out.push_back(canonical::BlockDelta{index, delta_kind, std::string(text->get_string())});
      } else if (const json::value* call = part->if_contains("functionCall"); call && call->is_object()) {
        const json::object& fields = call->get_object();
        std::string id = json_fields::string_or_empty(fields, "id");
        if (id.empty()) id = "call_" + new_request_id().substr(0, 24);
        const json::value* args = fields.if_contains("args");
        std::size_t index =
            blocks_.open(canonical::BlockKind::tool_call, out, std::move(id), json_fields::string_or_empty(fields, "name"));
        out.push_back(canonical::BlockDelta{index, canonical::BlockDelta::Kind::arguments,
                                            args && !args->is_null() ? json::serialize(*args) : "{}"});
        blocks_.close(out);
        saw_call_ = true;
      }
    }
  }
  if (std::string reason = json_fields::string_or_empty(*candidate, "finishReason"); !reason.empty()) finish_reason_ = reason;
}

bool GenerateStreamDecoder::finish(std::vector<canonical::StreamEvent>& out) {
  if (done_) return true;
  // Gemini has no terminator: a finishReason on the last chunk is the sign of a whole stream.
  if (!started_ || finish_reason_.empty()) return false;
  blocks_.close(out);
  out.push_back(canonical::MessageDelta{stop_reason_from(finish_reason_, saw_call_), {}, usage_});
  out.push_back(canonical::MessageStop{});
  done_ = true;
  return true;
}

void GenerateStreamEncoder::chunk(json::array parts, std::string& out, const char* finish_reason) {
  if (response_id_.empty()) response_id_ = new_request_id();
  out += "data: ";
  JsonWriter json(out);
  json.begin_object().key("candidates").begin_array().begin_object();
  json.key("content").begin_object().member("parts", json::value(std::move(parts))).member("role", "model").end_object();
  json.member("index", std::int64_t{0});
  if (finish_reason) json.member("finishReason", finish_reason);
  json.end_object().end_array();  // candidates
  if (finish_reason) {
    json.key("usageMetadata");
    write_usage_metadata(json, usage_);
  }
  json.member("modelVersion", model_).member("responseId", response_id_).end_object();
  out += "\r\n\r\n";
}

void GenerateStreamEncoder::text_chunk(std::string_view text, bool thought, std::string& out) {
  if (response_id_.empty()) response_id_ = new_request_id();
  // The same bytes chunk() writes for a single text part.
  out += R"(data: {"candidates":[{"content":{"parts":[{"text":)";
  out += json::serialize(text);
  if (thought) out += R"(,"thought":true)";
  out += R"(}],"role":"model"},"index":0}],"modelVersion":)";
  out += json::serialize(std::string_view(model_));
  out += R"(,"responseId":)";
  out += json::serialize(std::string_view(response_id_));
  out += "}\r\n\r\n";
}

void GenerateStreamEncoder::encode(const canonical::StreamEvent& event, std::string& out) {
  if (auto* start = std::get_if<canonical::MessageStart>(&event)) {
    if (!start->id.empty()) response_id_ = start->id;
  } else if (auto* block = std::get_if<canonical::BlockStart>(&event)) {
    if (block->kind == canonical::BlockKind::tool_call) calls_[block->index] = {block->tool_call_id, block->tool_name, {}};
  } else if (auto* delta = std::get_if<canonical::BlockDelta>(&event)) {
    using Kind = canonical::BlockDelta::Kind;
    if (delta->kind == Kind::text && !delta->text.empty()) {
      text_chunk(delta->text, false, out);
    } else if (delta->kind == Kind::thinking && !delta->text.empty()) {
      text_chunk(delta->text, true, out);
    } else if (delta->kind == Kind::arguments) {
      if (auto call = calls_.find(delta->index); call != calls_.end()) call->second.arguments += delta->text;
    }
  } else if (auto* stop = std::get_if<canonical::BlockStop>(&event)) {
    // Gemini clients expect each functionCall whole, with its args as an object.
    auto call = calls_.find(stop->index);
    if (call == calls_.end()) return;
    json::error_code ec;
    json::value args = json_fields::parse_document(call->second.arguments.empty() ? std::string_view("{}") : std::string_view(call->second.arguments), ec);
    if (ec || !args.is_object()) args = json::object{};
    chunk(json::array{json::object{{"functionCall", json::object{{"id", call->second.id},
                                                                 {"name", call->second.name},
                                                                 {"args", std::move(args)}}}}},
          out);
    calls_.erase(call);
  } else if (auto* message = std::get_if<canonical::MessageDelta>(&event)) {
    stop_reason_ = message->stop_reason;
    usage_ = message->usage;
  } else if (std::holds_alternative<canonical::MessageStop>(event)) {
    chunk(json::array{json::object{{"text", ""}}}, out, finish_reason_for(stop_reason_).data());
  } else if (auto* error = std::get_if<canonical::StreamError>(&event)) {
    out += error_frame(error->error);
  }
}

void GenerateStreamTap::on_frame(std::string_view raw) {
  bool usage = raw.find("\"usageMetadata\"") != std::string_view::npos;
  bool error = raw.find("\"error\"") != std::string_view::npos;
  if (!usage && !error) return;
  json_fields::ParsedJson document(http::parse_sse_frame(raw).data());
  json::error_code ec = document.error();
  json::value& parsed = document.root();
  if (ec || !parsed.is_object()) return;
  const json::object& chunk = parsed.get_object();
  if (chunk.contains("error")) saw_error_ = true;
  if (const json::value* metadata = chunk.if_contains("usageMetadata"); metadata && metadata->is_object()) {
    usage_ = parse_usage(metadata->get_object());
  }
}

}  // namespace switchyard::gemini
