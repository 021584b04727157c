#include "dialects/openai/chat_stream.h"

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

#include "dialects/openai/usage.h"
#include "http/sse.h"

namespace switchyard::openai {
namespace json = boost::json;

namespace {

// True when `text` holds `"key":` followed by something other than null. Cheap enough
// to run on every chunk, so only the few chunks that carry data get parsed.
bool has_non_null_member(std::string_view text, std::string_view quoted_key) {
  for (std::size_t at = text.find(quoted_key); at != std::string_view::npos;
       at = text.find(quoted_key, at + quoted_key.size())) {
    std::size_t i = at + quoted_key.size();
    while (i < text.size() && (text[i] == ' ' || text[i] == ':')) ++i;
    if (i < text.size() && text[i] != 'n') return true;
  }
  return false;
}

}  // namespace

bool ChatStreamTap::on_frame(std::string_view frame) {
  bool wants_usage = has_non_null_member(frame, "\"usage\"");
  bool has_error = has_non_null_member(frame, "\"error\"");
  bool has_finish = has_non_null_member(frame, "\"finish_reason\"");
  if (!wants_usage && !has_error && !has_finish) {
    if (frame.find("[DONE]") != std::string_view::npos) saw_done_ = http::parse_sse_frame(frame).data == "[DONE]";
    return true;
  }

  http::SseEvent event = http::parse_sse_frame(frame);
  json::error_code ec;
  json::value chunk = json::parse(event.data, ec);
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
