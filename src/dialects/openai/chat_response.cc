#include "dialects/openai/chat_response.h"

#include <boost/json/parse.hpp>
#include <ctime>

#include "core/json_parse.h"
#include "dialects/openai/completion_scan.h"
#include "dialects/openai/usage.h"

namespace switchyard::openai {
namespace json = boost::json;

std::string_view finish_reason_for(canonical::StopReason reason) {
  switch (reason) {
    case canonical::StopReason::end_turn:
    case canonical::StopReason::stop_sequence:
    case canonical::StopReason::pause:
    case canonical::StopReason::other:
      return "stop";
    case canonical::StopReason::max_tokens: return "length";
    case canonical::StopReason::tool_use: return "tool_calls";
    case canonical::StopReason::content_filter: return "content_filter";
  }
  return "stop";
}

canonical::StopReason stop_reason_from(std::string_view finish_reason) {
  if (finish_reason == "length") return canonical::StopReason::max_tokens;
  if (finish_reason == "tool_calls" || finish_reason == "function_call") return canonical::StopReason::tool_use;
  if (finish_reason == "content_filter") return canonical::StopReason::content_filter;
  return canonical::StopReason::end_turn;
}

Result<canonical::Response> decode_chat_response(std::string_view body) {
  if (std::optional<canonical::Response> completion = scan_text_completion(body)) return std::move(*completion);
  return decode_chat_response_tree(body);
}

Result<canonical::Response> decode_chat_response_tree(std::string_view body) {
  json_fields::ParsedJson document(body);
  json::error_code ec = document.error();
  json::value& parsed = document.root();
  const json::object* root = parsed.if_object();
  const json::value* choices = root ? root->if_contains("choices") : nullptr;
  if (ec || !choices || !choices->is_array() || choices->get_array().empty() ||
      !choices->get_array()[0].is_object()) {
    return make_error(ErrorKind::upstream_protocol, "the upstream sent a chat completion without choices",
                      "upstream_bad_response");
  }
  canonical::Response out;
  if (const json::value* id = root->if_contains("id"); id && id->is_string()) out.id = std::string(id->get_string());
  if (const json::value* model = root->if_contains("model"); model && model->is_string()) {
    out.model = std::string(model->get_string());
  }
  const json::object& choice = choices->get_array()[0].get_object();
  if (const json::value* message = choice.if_contains("message"); message && message->is_object()) {
    const json::object& fields = message->get_object();
    if (const json::value* reasoning = fields.if_contains("reasoning_content"); reasoning && reasoning->is_string()) {
      if (!reasoning->get_string().empty()) out.content.push_back(canonical::ThinkingBlock{std::string(reasoning->get_string()), {}, {}});
    }
    if (const json::value* content = fields.if_contains("content"); content && content->is_string()) {
      if (!content->get_string().empty()) out.content.push_back(canonical::TextBlock{std::string(content->get_string())});
    }
    if (const json::value* refusal = fields.if_contains("refusal"); refusal && refusal->is_string()) {
      out.content.push_back(canonical::TextBlock{std::string(refusal->get_string())});
    }
    if (const json::value* calls = fields.if_contains("tool_calls"); calls && calls->is_array()) {
      for (const json::value& call : calls->get_array()) {
        const json::object* c = call.if_object();
        const json::value* function = c ? c->if_contains("function") : nullptr;
        if (!function || !function->is_object()) continue;
        canonical::ToolCallBlock block;
        if (const json::value* id = c->if_contains("id"); id && id->is_string()) block.id = std::string(id->get_string());
        const json::object& f = function->get_object();
        if (const json::value* name = f.if_contains("name"); name && name->is_string()) {
          block.name = std::string(name->get_string());
        }
        if (const json::value* args = f.if_contains("arguments"); args && args->is_string()) {
          block.arguments = std::string(args->get_string());
        }
        if (block.arguments.empty()) block.arguments = "{}";
        out.content.push_back(std::move(block));
      }
    }
  }
  if (const json::value* reason = choice.if_contains("finish_reason"); reason && reason->is_string()) {
    out.stop_reason = stop_reason_from(reason->get_string());
  }
  if (const json::value* usage = root->if_contains("usage")) out.usage = parse_usage(*usage);
  return out;
}

// Written as text, not built as a DOM and serialized: the answer to every translated
// request for an OpenAI client.
std::string encode_chat_response(const canonical::Response& response, std::string_view model) {
  std::string text;
  bool has_calls = false;
  for (const auto& block : response.content) {
    if (auto* piece = std::get_if<canonical::TextBlock>(&block)) text += piece->text;
    if (std::holds_alternative<canonical::ToolCallBlock>(block)) has_calls = true;
  }
  std::string out;
  out.reserve(320 + text.size());
  JsonWriter json(out);
  std::string id = response.id.starts_with("chatcmpl-") ? response.id : "chatcmpl-" + response.id;
  json.begin_object().member("id", id).member("object", "chat.completion");
  json.member("created", static_cast<std::int64_t>(std::time(nullptr))).member("model", model);
  json.key("choices").begin_array().begin_object().member("index", std::int64_t{0});
  json.key("message").begin_object().member("role", "assistant").key("content");
  if (text.empty() && has_calls) {
    json.null();
  } else {
    json.string(text);
  }
  json.key("refusal").null();
  if (has_calls) {
    json.key("tool_calls").begin_array();
    for (const auto& block : response.content) {
      auto* call = std::get_if<canonical::ToolCallBlock>(&block);
      if (!call) continue;
      json.begin_object().member("id", call->id).member("type", "function");
      json.key("function").begin_object().member("name", call->name).member("arguments", call->arguments).end_object();
      json.end_object();
    }
    json.end_array();
  }
  json.key("annotations").begin_array().end_array();
  json.end_object();  // message
  json.key("logprobs").null().member("finish_reason", finish_reason_for(response.stop_reason));
  json.end_object().end_array();  // choices
  json.key("usage");
  write_usage(json, response.usage);
  json.end_object();
  return out;
}

}  // namespace switchyard::openai
