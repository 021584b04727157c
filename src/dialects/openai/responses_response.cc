#include "dialects/openai/responses_response.h"

#include <ctime>

#include "core/json_fields.h"
#include "core/json_parse.h"
#include "core/json_splice.h"
#include "core/request_id.h"
#include "dialects/openai/usage.h"

namespace switchyard::openai {
namespace json = boost::json;

namespace {

std::int64_t nested_count(const json::object& object, std::string_view parent, std::string_view key) {
  const json::object* inner = json_fields::object_or_null(object, parent);
  return inner ? json_fields::int_or_zero(*inner, key) : 0;
}

std::string_view item_prefix(const canonical::Block& block) {
  if (std::holds_alternative<canonical::ToolCallBlock>(block)) return "fc_";
  if (std::holds_alternative<canonical::ThinkingBlock>(block)) return "rs_";
  return "msg_";
}

std::string_view incomplete_reason(canonical::StopReason reason) {
  return reason == canonical::StopReason::content_filter ? "content_filter" : "max_output_tokens";
}

}  // namespace

Usage parse_responses_usage(const json::value& usage) {
  Usage out;
  const json::object* object = usage.if_object();
  if (!object) return out;
  out.reported = true;
  out.input_tokens = json_fields::int_or_zero(*object, "input_tokens");
  out.output_tokens = json_fields::int_or_zero(*object, "output_tokens");
  out.cache_read_tokens = nested_count(*object, "input_tokens_details", "cached_tokens");
  out.cache_write_tokens = nested_count(*object, "input_tokens_details", "cache_write_tokens");
  out.reasoning_tokens = nested_count(*object, "output_tokens_details", "reasoning_tokens");
  return out;
}

void write_responses_usage(JsonWriter& json, const Usage& usage) {
  json.begin_object().member("input_tokens", usage.input_tokens);
  json.key("input_tokens_details").begin_object().member("cached_tokens", usage.cache_read_tokens);
  json.member("cache_write_tokens", usage.cache_write_tokens).end_object();
  json.member("output_tokens", usage.output_tokens);
  json.key("output_tokens_details").begin_object().member("reasoning_tokens", usage.reasoning_tokens).end_object();
  json.member("total_tokens", usage.input_tokens + usage.output_tokens).end_object();
}

ResponseIds ResponseIds::fresh() {
  ResponseIds ids;
  ids.response = "resp_" + new_request_id();
  ids.created_at = static_cast<std::int64_t>(std::time(nullptr));
  return ids;
}

const std::string& ResponseIds::item(std::size_t index, const canonical::Block& block) {
  if (items.size() <= index) items.resize(index + 1);
  if (items[index].empty()) items[index] = std::string(item_prefix(block)) + new_request_id();
  return items[index];
}

std::string_view response_status_for(canonical::StopReason reason) {
  return reason == canonical::StopReason::max_tokens || reason == canonical::StopReason::content_filter ? "incomplete"
                                                                                                       : "completed";
}

void write_output_item(JsonWriter& json, const std::string& id, const canonical::Block& block, std::string_view status,
                       bool with_logprobs) {
  if (auto* call = std::get_if<canonical::ToolCallBlock>(&block)) {
    json.begin_object().member("type", "function_call").member("id", id).member("call_id", call->id);
    json.member("name", call->name).member("arguments", call->arguments).member("status", status).end_object();
  } else if (auto* thinking = std::get_if<canonical::ThinkingBlock>(&block)) {
    json.begin_object().member("type", "reasoning").member("id", id).key("summary").begin_array();
    if (!thinking->text.empty()) {
      json.begin_object().member("type", "summary_text").member("text", thinking->text).end_object();
    }
    json.end_array();
    // The signature another vendor needs replayed comes back to it this way.
    if (!thinking->signature.empty()) json.member("encrypted_content", thinking->signature);
    json.end_object();
  } else if (auto* text = std::get_if<canonical::TextBlock>(&block)) {
    json.begin_object().member("type", "message").member("id", id).member("status", status).member("role", "assistant");
    json.key("content").begin_array();
    if (status != "in_progress") {
      json.begin_object().member("type", "output_text").member("text", text->text);
      json.key("annotations").begin_array().end_array();
      if (with_logprobs) json.key("logprobs").begin_array().end_array();
      json.end_object();
    }
    json.end_array().end_object();
  }
}

void write_response_object(JsonWriter& json, ResponseIds& ids, std::string_view model, std::string_view status,
                           const std::vector<canonical::Block>& output, canonical::StopReason stop_reason,
                           const Usage* usage, bool with_logprobs) {
  // The members that never change are appended as text: a writer call per constant member
  // cost more than the rest of the translation of a short answer.
  json.begin_object().member("id", ids.response).member("object", "response").member("created_at", ids.created_at);
  json.member("status", status).key("error").null().key("incomplete_details");
  if (status == "incomplete") {
    json.begin_object().member("reason", incomplete_reason(stop_reason)).end_object();
  } else {
    json.null();
  }
  json.key("instructions").null().key("max_output_tokens").null().member("model", model);
  json.key("output").begin_array();
  std::string_view item_status = status == "in_progress" ? "in_progress" : "completed";
  for (std::size_t i = 0; i < output.size(); ++i) {
    write_output_item(json, ids.item(i, output[i]), output[i], item_status, with_logprobs);
  }
  json.end_array();
  std::string& out = json.buffer();
  out += R"(,"parallel_tool_calls":true,"previous_response_id":null,"reasoning":{"effort":null,"summary":null},)"
         R"("store":false,"temperature":1,"text":{"format":{"type":"text"}},"tool_choice":"auto","tools":[],"top_p":1,)"
         R"("truncation":"disabled","metadata":{},"usage":)";
  JsonWriter rest(out);
  if (usage) {
    write_responses_usage(rest, *usage);
  } else {
    rest.null();
  }
  json.end_object();
}

std::string encode_responses_response(const canonical::Response& response, std::string_view model) {
  std::string out;
  std::size_t text = 0;
  for (const auto& block : response.content) {
    if (auto* piece = std::get_if<canonical::TextBlock>(&block)) text += piece->text.size();
  }
  out.reserve(1024 + text + text / 8);  // the object around the text, and its escapes
  JsonWriter json(out);
  ResponseIds ids = ResponseIds::fresh();
  std::vector<canonical::Block> output;
  output.reserve(response.content.size());
  for (const auto& block : response.content) {
    auto* text = std::get_if<canonical::TextBlock>(&block);
    if (!text || !text->text.empty()) output.push_back(block);
  }
  write_response_object(json, ids, model, response_status_for(response.stop_reason), output, response.stop_reason,
                        &response.usage, true);
  return out;
}

Result<canonical::Response> decode_responses_response(std::string_view body) {
  json_fields::ParsedJson document(body);
  const json::object* root = document.error() ? nullptr : document.root().if_object();
  const json::value* output = root ? root->if_contains("output") : nullptr;
  if (!output || !output->is_array()) {
    return make_error(ErrorKind::upstream_protocol, "the upstream sent a response without output",
                      "upstream_bad_response");
  }
  canonical::Response out;
  out.id = json_fields::string_or_empty(*root, "id");
  out.model = json_fields::string_or_empty(*root, "model");
  bool called = false;
  for (const json::value& value : output->get_array()) {
    const json::object* item = value.if_object();
    if (!item) continue;
    std::string type = json_fields::string_or_empty(*item, "type");
    if (type == "message") {
      const json::value* content = item->if_contains("content");
      if (!content || !content->is_array()) continue;
      std::string text;
      for (const json::value& part : content->get_array()) {
        const json::object* fields = part.if_object();
        if (!fields) continue;
        std::string part_type = json_fields::string_or_empty(*fields, "type");
        if (part_type == "output_text") text += json_fields::string_or_empty(*fields, "text");
        if (part_type == "refusal") text += json_fields::string_or_empty(*fields, "refusal");
      }
      if (!text.empty()) out.content.push_back(canonical::TextBlock{std::move(text)});
    } else if (type == "function_call") {
      canonical::ToolCallBlock call;
      call.id = json_fields::string_or_empty(*item, "call_id");
      call.name = json_fields::string_or_empty(*item, "name");
      call.arguments = json_fields::string_or_empty(*item, "arguments");
      if (call.arguments.empty()) call.arguments = "{}";
      out.content.push_back(std::move(call));
      called = true;
    } else if (type == "reasoning") {
      canonical::ThinkingBlock thinking;
      if (const json::value* summary = item->if_contains("summary"); summary && summary->is_array()) {
        for (const json::value& part : summary->get_array()) {
          if (const json::object* fields = part.if_object()) thinking.text += json_fields::string_or_empty(*fields, "text");
        }
      }
      thinking.signature = json_fields::string_or_empty(*item, "encrypted_content");
      if (!thinking.text.empty() || !thinking.signature.empty()) out.content.push_back(std::move(thinking));
    }
  }
  out.stop_reason = called ? canonical::StopReason::tool_use : canonical::StopReason::end_turn;
  if (json_fields::string_or_empty(*root, "status") == "incomplete") {
    const json::object* details = json_fields::object_or_null(*root, "incomplete_details");
    std::string reason = details ? json_fields::string_or_empty(*details, "reason") : "";
    out.stop_reason = reason == "content_filter" ? canonical::StopReason::content_filter : canonical::StopReason::max_tokens;
  }
  if (const json::value* usage = root->if_contains("usage")) out.usage = parse_responses_usage(*usage);
  return out;
}

Usage usage_from_responses_body(std::string_view body) {
  // Metering every passthrough answer: the usage is found from the end and read off the
  // parser's events, not built into a DOM.
  auto span = json_splice::find_last_member(body, "usage");
  if (!span) return {};
  return usage_from_responses_text(body.substr(span->value_begin, span->value_end - span->value_begin));
}

}  // namespace switchyard::openai
