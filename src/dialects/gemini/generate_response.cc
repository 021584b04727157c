#include "dialects/gemini/generate_response.h"

#include <boost/json/serialize.hpp>

#include "core/json_fields.h"
#include "core/json_parse.h"
#include "core/request_id.h"

namespace switchyard::gemini {
namespace json = boost::json;

Usage parse_usage(const json::object& usage) {
  Usage out;
  out.reported = true;
  out.input_tokens = json_fields::int_or_zero(usage, "promptTokenCount") + json_fields::int_or_zero(usage, "toolUsePromptTokenCount");
  out.cache_read_tokens = json_fields::int_or_zero(usage, "cachedContentTokenCount");
  out.reasoning_tokens = json_fields::int_or_zero(usage, "thoughtsTokenCount");
  out.output_tokens = json_fields::int_or_zero(usage, "candidatesTokenCount") + out.reasoning_tokens;
  return out;
}

void write_usage_metadata(JsonWriter& json, const Usage& usage) {
  json.begin_object()
      .member("promptTokenCount", usage.input_tokens)
      .member("candidatesTokenCount", usage.output_tokens - usage.reasoning_tokens)
      .member("totalTokenCount", usage.input_tokens + usage.output_tokens);
  if (usage.reasoning_tokens) json.member("thoughtsTokenCount", usage.reasoning_tokens);
  if (usage.cache_read_tokens) json.member("cachedContentTokenCount", usage.cache_read_tokens);
  json.end_object();
}

canonical::StopReason stop_reason_from(std::string_view reason, bool has_function_call) {
  // Gemini ends tool-calling turns with STOP; the calls themselves say what happened.
  if (has_function_call && (reason.empty() || reason == "STOP")) return canonical::StopReason::tool_use;
  if (reason == "MAX_TOKENS") return canonical::StopReason::max_tokens;
  static constexpr std::string_view kFiltered[] = {"SAFETY", "RECITATION", "LANGUAGE", "BLOCKLIST", "PROHIBITED_CONTENT",
                                                   "SPII", "IMAGE_SAFETY", "IMAGE_PROHIBITED_CONTENT", "IMAGE_RECITATION",
                                                   "OTHER"};
  for (std::string_view filtered : kFiltered) {
    if (reason == filtered) return canonical::StopReason::content_filter;
  }
  return canonical::StopReason::end_turn;
}

std::string_view finish_reason_for(canonical::StopReason reason) {
  switch (reason) {
    case canonical::StopReason::max_tokens: return "MAX_TOKENS";
    case canonical::StopReason::content_filter: return "SAFETY";
    default: return "STOP";
  }
}

Result<canonical::Response> decode_generate_response(std::string_view body) {
  json_fields::ParsedJson document(body);
  json::error_code ec = document.error();
  json::value& parsed = document.root();
  if (ec || !parsed.is_object()) {
    return make_error(ErrorKind::upstream_protocol, "the upstream sent an unreadable generateContent response",
                      "upstream_bad_response");
  }
  const json::object& root = parsed.get_object();
  canonical::Response out;
  out.id = json_fields::string_or_empty(root, "responseId");
  out.model = json_fields::string_or_empty(root, "modelVersion");
  if (const json::value* usage = root.if_contains("usageMetadata"); usage && usage->is_object()) {
    out.usage = parse_usage(usage->get_object());
  }
  const json::value* candidates = root.if_contains("candidates");
  if (!candidates || !candidates->is_array() || candidates->get_array().empty()) {
    // A blocked prompt is a 200 with promptFeedback and no candidates.
    out.stop_reason = canonical::StopReason::content_filter;
    return out;
  }
  const json::object* candidate = candidates->get_array()[0].if_object();
  bool has_call = false;
  std::size_t k = 0;
  if (const json::value* content = candidate ? candidate->if_contains("content") : nullptr; content && content->is_object()) {
    if (const json::value* parts = content->get_object().if_contains("parts"); parts && parts->is_array()) {
      for (const json::value& part_value : parts->get_array()) {
        const json::object* part = part_value.if_object();
        if (!part) continue;
        bool thought = part->contains("thought") && part->at("thought").is_bool() && part->at("thought").get_bool();
        if (const json::value* text = part->if_contains("text"); text && text->is_string()) {
          if (thought) out.content.push_back(canonical::ThinkingBlock{std::string(text->get_string()), json_fields::string_or_empty(*part, "thoughtSignature"), {}});
          else out.content.push_back(canonical::TextBlock{std::string(text->get_string())});
        } else if (const json::value* call = part->if_contains("functionCall"); call && call->is_object()) {
          has_call = true;
          const json::object& fields = call->get_object();
          std::string id = json_fields::string_or_empty(fields, "id");
          if (id.empty()) id = "call_" + new_request_id().substr(0, 24);
          const json::value* args = fields.if_contains("args");
          out.content.push_back(canonical::ToolCallBlock{id, json_fields::string_or_empty(fields, "name"), args ? json::serialize(*args) : "{}"});
        }
        ++k;
      }
    }
  }
  out.stop_reason = stop_reason_from(candidate ? json_fields::string_or_empty(*candidate, "finishReason") : std::string(), has_call);
  return out;
}

// Written as text, not built as a DOM and serialized: the answer to every translated
// request for a Gemini client.
std::string encode_generate_response(const canonical::Response& response, std::string_view model) {
  std::string out;
  out.reserve(320);
  JsonWriter json(out);
  json.begin_object().key("candidates").begin_array().begin_object();
  json.key("content").begin_object().key("parts").begin_array();
  bool wrote_part = false;
  for (const auto& block : response.content) {
    if (auto* text = std::get_if<canonical::TextBlock>(&block)) {
      json.begin_object().member("text", text->text).end_object();
    } else if (auto* call = std::get_if<canonical::ToolCallBlock>(&block)) {
      json::error_code ec;
      json::value args = json_fields::parse_document(call->arguments, ec);
      if (ec || !args.is_object()) args = json::object{};
      json.begin_object().key("functionCall").begin_object().member("id", call->id).member("name", call->name);
      json.member("args", args).end_object().end_object();
    } else if (auto* thinking = std::get_if<canonical::ThinkingBlock>(&block); thinking && !thinking->text.empty()) {
      json.begin_object().member("text", thinking->text).member("thought", true).end_object();
    } else {
      continue;
    }
    wrote_part = true;
  }
  if (!wrote_part) json.begin_object().member("text", "").end_object();
  json.end_array().member("role", "model").end_object();  // content
  json.member("finishReason", finish_reason_for(response.stop_reason)).member("index", std::int64_t{0});
  json.end_object().end_array();  // candidates
  json.key("usageMetadata");
  write_usage_metadata(json, response.usage);
  json.member("modelVersion", model).member("responseId", response.id.empty() ? new_request_id() : response.id);
  json.end_object();
  return out;
}

}  // namespace switchyard::gemini
