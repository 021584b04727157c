// Gateway errors as values. Every failure on the data plane becomes a GatewayError,
// which the caller's dialect then renders in its own wire shape.
#pragma once

#include <string>

namespace switchyard {

enum class ErrorKind {
  invalid_request,       // 400: the client sent something we cannot serve
  authentication,        // 401: missing or wrong key
  permission,            // 403
  not_found,             // 404: unknown model or route
  method_not_allowed,    // 405
  payload_too_large,     // 413
  rate_limited,          // 429
  internal,              // 500: a bug or an impossible state in the gateway
  upstream_unreachable,  // 502: connect refused, reset, DNS, TLS
  upstream_protocol,     // 502: the upstream answered something unparseable
  unavailable,           // 503: shutting down, nothing to route to
  upstream_timeout,      // 504
};

struct GatewayError {
  int status = 500;
  ErrorKind kind = ErrorKind::internal;
  std::string message;
  std::string code;   // machine-readable code; empty renders as null
  std::string param;  // offending request parameter; empty renders as null
  std::string retry_after;  // seconds, when the error says when to retry (Gemini's RetryInfo)
};

// The HTTP status that goes with each kind.
int default_status(ErrorKind kind);

GatewayError make_error(ErrorKind kind, std::string message, std::string code = {},
                        std::string param = {});

// The kind an HTTP status stands for, whoever sent it (an upstream, or the server itself).
ErrorKind kind_for_status(int status);

// An error carrying exactly `status`, of the kind that status stands for.
GatewayError error_for_status(int status, std::string message, std::string code = {});

}  // namespace switchyard
