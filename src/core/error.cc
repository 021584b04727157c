#include "core/error.h"

#include <utility>

namespace switchyard {

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
  }
  return 500;
}

GatewayError make_error(ErrorKind kind, std::string message, std::string code, std::string param) {
  return GatewayError{default_status(kind), kind, std::move(message), std::move(code),
                      std::move(param), {}};
}

}  // namespace switchyard
