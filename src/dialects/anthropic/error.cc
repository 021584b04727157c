#include "dialects/anthropic/error.h"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include "core/json_parse.h"

namespace switchyard::anthropic {
namespace json = boost::json;

namespace {

std::string_view error_type(const GatewayError& error) {
  switch (error.status) {
    case 400: return "invalid_request_error";
    case 401: return "authentication_error";
    case 402: return "billing_error";
    case 403: return "permission_error";
    case 404: return "not_found_error";
    case 413: return "request_too_large";
    case 429: return "rate_limit_error";
    case 503:
    case 529: return "overloaded_error";
    case 504: return "timeout_error";
    default: break;
  }
  return error.status >= 500 ? "api_error" : "invalid_request_error";
}

json::object error_object(const GatewayError& error) {
  return json::object{{"type", "error"}, {"error", json::object{{"type", error_type(error)}, {"message", error.message}}}};
}

}  // namespace

std::string error_body(const GatewayError& error, std::string_view request_id) {
  json::object body = error_object(error);
  body["request_id"] = "req_" + std::string(request_id);
  return json::serialize(body);
}

std::string error_frame(const GatewayError& error) {
  return "event: error\ndata: " + json::serialize(error_object(error)) + "\n\n";
}

GatewayError decode_error(int status, std::string_view body) {
  GatewayError error = error_for_status(status, "upstream error " + std::to_string(status));
  json_fields::ParsedJson document(body);
  json::error_code ec = document.error();
  json::value& parsed = document.root();
  if (ec || !parsed.is_object()) return error;
  const json::value* inner = parsed.get_object().if_contains("error");
  if (!inner || !inner->is_object()) return error;
  const json::object& fields = inner->get_object();
  if (const json::value* message = fields.if_contains("message"); message && message->is_string()) {
    error.message = std::string(message->get_string());
  }
  if (const json::value* type = fields.if_contains("type"); type && type->is_string()) {
    error.code = std::string(type->get_string());
    if (error.code == "overloaded_error") error.kind = ErrorKind::unavailable;
    // An account out of credit fails the same way until someone pays.
    error.permanent = error.code == "billing_error";
  }
  return error;
}

}  // namespace switchyard::anthropic
