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
  cancelled,             // 499 (nginx's "client closed request"): the attempt or request was called off
};

// What a failed upstream attempt means for the next one. The attempt loop and the router
// act on this, never on an error's code or message.
enum class Fault {
  request,     // the client's request itself cannot be served as sent: stop and answer it
  candidate,   // this deployment cannot take the request (its dialect cannot express it): try the
               // next one, without blaming this one, and without another round over the same list
  deployment,  // the deployment failed (unreachable, timed out, a broken answer): try the next one,
               // count it against its circuit breaker, and allow another round
  gateway,     // the gateway's own state (out of descriptors): try the next one, blame nobody
  cancelled,   // the attempt was called off (a hedge lost, the client left): no verdict at all
};

struct GatewayError {
  int status = 500;
  ErrorKind kind = ErrorKind::internal;
  std::string message;
  std::string code;   // machine-readable code; empty renders as null
  std::string param;  // offending request parameter; empty renders as null
  std::string retry_after;  // seconds, when the error says when to retry (Gemini's RetryInfo)
  Fault fault = Fault::request;
  // Retrying the same request will fail the same way (no quota, no billing): clients are
  // told not to. Set by the dialect that decoded the upstream's error.
  bool permanent = false;
};

// The HTTP status that goes with each kind.
int default_status(ErrorKind kind);

// The kind's name as the ledger and metrics show it: "invalid_request", "rate_limited", ...
std::string_view error_kind_name(ErrorKind kind);

// What an error of each kind says about the deployment it came from.
Fault default_fault(ErrorKind kind);

GatewayError make_error(ErrorKind kind, std::string message, std::string code = {},
                        std::string param = {});

// The kind an HTTP status stands for, whoever sent it (an upstream, or the server itself).
ErrorKind kind_for_status(int status);

// An error carrying exactly `status`, of the kind that status stands for.
GatewayError error_for_status(int status, std::string message, std::string code = {});

}  // namespace switchyard
