#include "dialects/gemini/error.h"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include "core/json_parse.h"

namespace switchyard::gemini {
namespace json = boost::json;

namespace {

std::string_view status_name(int status) {
  switch (status) {
    case 400: return "INVALID_ARGUMENT";
    case 401: return "UNAUTHENTICATED";
    case 403: return "PERMISSION_DENIED";
    case 404: return "NOT_FOUND";
    case 409: return "ABORTED";
    case 413: return "INVALID_ARGUMENT";
    case 429: return "RESOURCE_EXHAUSTED";
    case 499: return "CANCELLED";
    case 501: return "UNIMPLEMENTED";
    case 502:
    case 503:
    case 529: return "UNAVAILABLE";
    case 504: return "DEADLINE_EXCEEDED";
    default: break;
  }
  return status >= 500 ? "INTERNAL" : "INVALID_ARGUMENT";
}

json::object error_object(const GatewayError& error) {
  json::object inner{{"code", error.status}, {"message", error.message}, {"status", status_name(error.status)}};
  if (!error.retry_after.empty()) {
    inner["details"] = json::array{json::object{{"@type", "type.googleapis.com/google.rpc.RetryInfo"},
                                                {"retryDelay", error.retry_after + "s"}}};
  }
  return json::object{{"error", std::move(inner)}};
}

}  // namespace

std::string error_body(const GatewayError& error) { return json::serialize(error_object(error)); }

std::string error_frame(const GatewayError& error) { return "data: " + json::serialize(error_object(error)) + "\n\n"; }

GatewayError decode_error(int status, std::string_view body) {
  GatewayError error = error_for_status(status, "upstream error " + std::to_string(status));
  json_fields::ParsedJson document(body);
  json::error_code ec = document.error();
  json::value& parsed = document.root();
  const json::value* inner = !ec && parsed.is_object() ? parsed.get_object().if_contains("error") : nullptr;
  if (!inner || !inner->is_object()) return error;
  const json::object& fields = inner->get_object();
  if (const json::value* message = fields.if_contains("message"); message && message->is_string()) {
    error.message = std::string(message->get_string());
  }
  if (const json::value* name = fields.if_contains("status"); name && name->is_string()) {
    error.code = std::string(name->get_string());
  }
  // google.rpc.RetryInfo {retryDelay: "17s"} is Gemini's retry-after.
  if (const json::value* details = fields.if_contains("details"); details && details->is_array()) {
    for (const json::value& detail : details->get_array()) {
      const json::value* delay = detail.is_object() ? detail.get_object().if_contains("retryDelay") : nullptr;
      if (!delay || !delay->is_string()) continue;
      std::string seconds(delay->get_string());
      if (!seconds.empty() && seconds.back() == 's') seconds.pop_back();
      if (std::size_t dot = seconds.find('.'); dot != std::string::npos) seconds.resize(dot);
      if (!seconds.empty() && seconds.find_first_not_of("0123456789") == std::string::npos) error.retry_after = seconds;
    }
  }
  if (status == 400 && error.message.find("API key") != std::string::npos) {
    error.status = 401;
    error.kind = ErrorKind::authentication;
  }
  return error;
}

}  // namespace switchyard::gemini
