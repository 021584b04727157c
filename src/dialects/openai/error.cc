#include "dialects/openai/error.h"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include "core/json_parse.h"

namespace switchyard::openai {
namespace json = boost::json;

namespace {

std::string_view error_type_name(ErrorKind kind) {
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
    case ErrorKind::cancelled:
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
  inner["type"] = error_type_name(error.kind);
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

GatewayError decode_error(int status, std::string_view body) {
  GatewayError error = error_for_status(status, "upstream error " + std::to_string(status));
  json_fields::ParsedJson document(body);
  json::error_code ec = document.error();
  json::value& parsed = document.root();
  const json::value* inner = !ec && parsed.is_object() ? parsed.get_object().if_contains("error") : nullptr;
  if (inner && inner->is_string()) {
    error.message = std::string(inner->get_string());
  } else if (inner && inner->is_object()) {
    const json::object& fields = inner->get_object();
    if (const json::value* message = fields.if_contains("message"); message && message->is_string()) {
      error.message = std::string(message->get_string());
    }
    if (const json::value* code = fields.if_contains("code"); code && code->is_string()) {
      error.code = std::string(code->get_string());
    }
  }
  // An account out of credit fails the same way until someone pays.
  error.permanent = error.code == "insufficient_quota";
  return error;
}

}  // namespace switchyard::openai
