#include "core/error.h"

#include <utility>

namespace switchyard {

std::string_view error_kind_name(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::invalid_request: return "invalid_request";
    case ErrorKind::authentication: return "authentication";
    case ErrorKind::permission: return "permission";
    case ErrorKind::not_found: return "not_found";
    case ErrorKind::method_not_allowed: return "method_not_allowed";
    case ErrorKind::payload_too_large: return "payload_too_large";
    case ErrorKind::rate_limited: return "rate_limited";
    case ErrorKind::internal: return "internal";
    case ErrorKind::upstream_unreachable: return "upstream_unreachable";
    case ErrorKind::upstream_protocol: return "upstream_protocol";
    case ErrorKind::unavailable: return "unavailable";
    case ErrorKind::upstream_timeout: return "upstream_timeout";
    case ErrorKind::cancelled: return "cancelled";
  }
  return "internal";
}

int default_status(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::invalid_request: return 400;
    case ErrorKind::authentication: return 401;
    case ErrorKind::permission: return 403;
    case ErrorKind::not_found: return 404;
    case ErrorKind::method_not_allowed: return 405;
    case ErrorKind::payload_too_large: return 413;
    case ErrorKind::rate_limited: return 429;
    case ErrorKind::internal: return 500;
    case ErrorKind::upstream_unreachable: return 502;
    case ErrorKind::upstream_protocol: return 502;
    case ErrorKind::unavailable: return 503;
    case ErrorKind::upstream_timeout: return 504;
    case ErrorKind::cancelled: return 499;
  }
  return 500;
}

Fault default_fault(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::upstream_unreachable:
    case ErrorKind::upstream_protocol:
    case ErrorKind::upstream_timeout:
      return Fault::deployment;
    case ErrorKind::unavailable:
    case ErrorKind::internal:
      return Fault::gateway;
    case ErrorKind::cancelled: return Fault::cancelled;
    default: return Fault::request;
  }
}

GatewayError make_error(ErrorKind kind, std::string message, std::string code, std::string param) {
  return GatewayError{default_status(kind), kind, std::move(message), std::move(code),
                      std::move(param), {}, default_fault(kind), false};
}

ErrorKind kind_for_status(int status) {
  switch (status) {
    case 400:
    case 431: return ErrorKind::invalid_request;
    case 401: return ErrorKind::authentication;
    case 403: return ErrorKind::permission;
    case 404: return ErrorKind::not_found;
    case 405: return ErrorKind::method_not_allowed;
    case 413: return ErrorKind::payload_too_large;
    case 429: return ErrorKind::rate_limited;
    case 500: return ErrorKind::internal;
    case 504: return ErrorKind::upstream_timeout;
    default: break;
  }
  return status >= 500 ? ErrorKind::unavailable : ErrorKind::invalid_request;
}

GatewayError error_for_status(int status, std::string message, std::string code) {
  GatewayError error = make_error(kind_for_status(status), std::move(message), std::move(code));
  error.status = status;
  return error;
}

}  // namespace switchyard
