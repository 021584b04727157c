#include "dialects/openai/error.h"

#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

namespace switchyard::openai {
namespace json = boost::json;

namespace {

std::string_view error_type(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::invalid_request:
    case ErrorKind::not_found:
    case ErrorKind::method_not_allowed:
    case ErrorKind::payload_too_large:
    case ErrorKind::authentication:  // OpenAI itself answers 401 with invalid_request_error
      return "invalid_request_error";
    case ErrorKind::permission: return "permission_error";
    case ErrorKind::rate_limited: return "rate_limit_error";
    case ErrorKind::internal:
    case ErrorKind::upstream_unreachable:
    case ErrorKind::upstream_protocol:
    case ErrorKind::unavailable:
    case ErrorKind::upstream_timeout:
      return "server_error";
  }
  return "server_error";
}

json::value nullable(const std::string& text) {
  if (text.empty()) return nullptr;
  return json::string(text);
}

json::object error_object(const GatewayError& error) {
  json::object inner;
  inner["message"] = error.message;
  inner["type"] = error_type(error.kind);
  inner["param"] = nullable(error.param);
  inner["code"] = nullable(error.code);
  json::object outer;
  outer["error"] = std::move(inner);
  return outer;
}

}  // namespace

std::string error_body(const GatewayError& error) { return json::serialize(error_object(error)); }

std::string error_frame(const GatewayError& error) {
  return "data: " + json::serialize(error_object(error)) + "\n\n";
}

}  // namespace switchyard::openai
