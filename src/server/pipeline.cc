#include "server/pipeline.h"

#include <random>
#include <variant>

#include "core/log.h"
#include "core/trace_context.h"
#include "dialects/codec.h"
#include "dialects/rate_limit_headers.h"
#include "policy/access_control.h"
#include "dialects/routes.h"
#include "server/admin.h"
#include "server/admin_api.h"
#include "server/attempt_loop.h"
#include "server/operations.h"
#include "server/responses.h"
#include "server/upstream_relay.h"

namespace switchyard::server {
namespace net = boost::asio;

namespace {

std::string code_for_status(int status) {
  switch (status) {
    case 413: return "request_too_large";
    case 431: return "request_header_too_large";
    case 400: return "malformed_request";
    default: return "internal_error";
  }
}

void start_record(RequestContext& context, const std::string& request_id, std::string_view method,
                  std::string_view target, std::chrono::steady_clock::time_point received_at) {
  context.outcome.request_id = request_id;
  context.outcome.method = std::string(method);
  context.outcome.path = std::string(target.substr(0, target.find('?')));
  context.received_at = received_at;
  context.outcome.started_at = std::chrono::system_clock::now();
}

// The request's place in a distributed trace. Traced here (spans exported) when tracing is on:
// a client's sampled traceparent is continued (its trace, our span under its span), an
// unsampled one is respected, and a request without one starts a trace with probability
// `sample_ratio`. With tracing off, a client's traceparent is only passed on upstream.
void start_trace(TraceContext& trace, std::string_view traceparent, std::optional<double> sample_ratio) {
  std::optional<TraceParent> parent = parse_traceparent(traceparent);
  if (parent) trace.incoming = std::string(traceparent);
  if (!sample_ratio) return;
  if (parent) {
    trace.trace_id = parent->trace_id;
    trace.parent_span_id = parent->span_id;
    trace.sampled = parent->sampled;
  } else {
    thread_local std::mt19937_64 random{std::random_device{}()};
    trace.trace_id = new_trace_id();
    trace.sampled = std::uniform_real_distribution<double>(0.0, 1.0)(random) < *sample_ratio;
  }
  trace.span_id = new_span_id();
  // Unsampled, the context still goes upstream with this request's span as the parent.
  if (!trace.sampled) trace.incoming = format_traceparent(trace.trace_id, trace.span_id, false);
}

// What the route phase answers itself, without a caller's key: health probes, metrics,
// and paths no route names.
struct LocalAnswer {
  std::optional<http::ClientResponse> response;  // a probe's or the metrics
  std::optional<GatewayError> error;             // 404, 405
};

std::optional<LocalAnswer> answer_without_key(RequestScope& scope, const GatewayServices& services) {
  Outcome& outcome = scope.context.outcome;
  auto probe = [&](int status, std::string_view body) {
    outcome.health_probe = true;
    outcome.status = status;
    return LocalAnswer{json_response(status, std::string(body)), std::nullopt};
  };
  switch (scope.route.operation) {
    case Operation::healthz: return probe(200, R"({"status":"ok"})");
    case Operation::readyz:
      if (services.draining.load(std::memory_order_acquire)) return probe(503, R"({"status":"draining"})");
      return probe(200, R"({"status":"ready"})");
    case Operation::metrics: {
      LocalAnswer metrics =
          probe(200, metrics_text(scope.runtime->router, services.config, services.metrics, services.ledger, services.traces,
                                  services.access));
      metrics.response->set("Content-Type", "text/plain; version=0.0.4");
      return metrics;
    }
    case Operation::unknown_path:
      return LocalAnswer{std::nullopt, make_error(ErrorKind::not_found,
                                                  "Unknown request URL: " + outcome.method + " " + outcome.path,
                                                  "unknown_url")};
    case Operation::wrong_method:
      return LocalAnswer{std::nullopt, make_error(ErrorKind::method_not_allowed,
                                                  "Method " + outcome.method + " is not allowed here; use " +
                                                      std::string(scope.route.allowed_method),
                                                  "method_not_allowed")};
    default: return std::nullopt;
  }
}

// The credential the request presents, in its SDK's way -> who is calling. Done before the
// body is parsed, so unauthenticated clients cannot make the gateway work.
std::optional<GatewayError> authenticate(RequestScope& scope, const GatewayServices& services) {
  const policy::KeyDirectory* keys = services.access ? &services.access->keys : nullptr;
  auto principal = scope.runtime->authenticator.authenticate(presented_credential(scope.exchange.request), keys);
  if (!principal) return principal.take_error();
  scope.context.outcome.principal = std::move(principal.value());
  return std::nullopt;
}

Result<ParsedRequest> parse(RequestScope& scope, OperationHandler& operation) {
  Outcome& outcome = scope.context.outcome;
  outcome.operation = operation.name();
  outcome.dialect = std::string(dialect_name(scope.client.dialect));
  auto parsed = operation.parse();
  if (parsed) {
    outcome.model = parsed->model;
    outcome.stream = parsed->stream;
    // Kept for the ledger, bounded: it is the client's string.
    constexpr std::size_t kMaxUser = 256;
    outcome.user = parsed->user.substr(0, kMaxUser);
  }
  return parsed;
}

// What the caller may do and what it reserves: a refusal, or the reservation kept in the
// outcome. Where the caller stands against its limits goes out as headers in its SDK's
// terms, on the answer or the refusal alike.
net::awaitable<std::optional<GatewayError>> admit(RequestScope& scope, const GatewayServices& services,
                                                  const OperationHandler& operation, const ParsedRequest& parsed) {
  Outcome& outcome = scope.context.outcome;
  policy::AdmissionRequest request{outcome.principal,   operation.name(),       parsed.model,
                                   parsed.fallback_models, parsed.stream,       parsed.max_output_tokens,
                                   scope.exchange.request.body.size(), scope.runtime->router};
  policy::AdmissionResult result{outcome.reservation, {}, {}};
  std::optional<GatewayError> refusal = co_await services.access->admission.admit(request, result);
  http::ResponseChannel& channel = scope.exchange.response;
  auto set_header = [&](std::string_view name, std::string_view value) { channel.set_header(name, value); };
  scope.context.reports_rate_limits = result.status.requests.has_value() || result.status.tokens.has_value();
  rate_limit_headers(scope.client.dialect, result.status, std::chrono::system_clock::now(), set_header);
  for (const auto& [name, value] : result.refusal_headers) channel.set_header(name, value);
  co_return refusal;
}

std::unique_ptr<OperationHandler> make_operation(RequestScope& scope) {
  switch (scope.route.operation) {
    case Operation::generate: return make_generate_operation(scope);
    case Operation::embed: return make_embed_operation(scope);
    case Operation::count_tokens: return make_count_tokens_operation(scope);
    case Operation::list_models: return make_model_list_operation(scope);
    case Operation::stored_response: return make_stored_response_operation(scope);
    default: return nullptr;
  }
}

struct AdminRequest {};

// A request let through phases 1 to 3, to admission and its operation.
struct Admitted {
  std::unique_ptr<OperationHandler> operation;
  ParsedRequest request;
};

// Phases 1 to 3 never wait: each lets the request on or ends it with an answer, which the
// pipeline then sends (a probe's answer, or an error in the caller's dialect).
using Decision = std::variant<Admitted, http::ClientResponse, GatewayError, AdminRequest>;

Decision route_to_parse(RequestScope& scope, const GatewayServices& services) {
  // 1. route (match_route, in run_pipeline): probes, metrics and unknown paths end here
  if (std::optional<LocalAnswer> local = answer_without_key(scope, services)) {
    if (local->error) return std::move(*local->error);
    return std::move(*local->response);
  }
  // 2. authenticate
  if (std::optional<GatewayError> refusal = authenticate(scope, services)) return std::move(*refusal);
  if (is_admin_operation(scope.route.operation)) return AdminRequest{};
  std::unique_ptr<OperationHandler> operation = make_operation(scope);
  // 3. parse
  Result<ParsedRequest> parsed = parse(scope, *operation);
  if (!parsed) return parsed.take_error();
  return Admitted{std::move(operation), std::move(parsed.value())};
}

}  // namespace

net::awaitable<void> run_pipeline(const GatewayServices& services, http::Exchange& exchange) {
  const http::ClientRequest& request = exchange.request;
  RequestContext context;
  start_record(context, exchange.request_id, request.method(), request.target(), exchange.received_at);
  start_trace(context.outcome.trace, request.header("traceparent"), services.trace_sample_ratio);
  SettleGuard settle(context, services.sinks);  // settle: exactly once, however this ends

  RouteMatch route = match_route(request.method(), request.target());
  const DialectCodec& client = codec_for(route.dialect);  // whose shape answers and errors take
  RequestScope scope{exchange,          context, services.config.runtime(), std::move(route), client,
                     services.responses, services.access};

  // Errors are values on the data plane; an exception is a bug. It still gets a 500 in
  // the caller's dialect (or an in-stream error) and a settled record.
  std::string failure;
  try {
    Decision decision = route_to_parse(scope, services);  // phases 1 to 3
    if (auto* admitted = std::get_if<Admitted>(&decision)) {
      // 4. admit: only callers some admission step applies to (virtual keys) pay for it
      std::optional<GatewayError> refusal;
      if (services.access && services.access->admission.applies_to(context.outcome.principal)) {
        refusal = co_await admit(scope, services, *admitted->operation, admitted->request);
      }
      // 5, 6. attempts and respond (or an answer the operation makes itself)
      if (!refusal && admitted->operation->needs_state()) refusal = co_await admitted->operation->load_state();
      if (refusal) {
        co_await send_error(exchange, context, scope.client, *refusal);
      } else if (admitted->operation->answers_locally()) {
        co_await admitted->operation->answer_locally();
      } else {
        co_await run_attempts(scope, *admitted->operation, admitted->request);
      }
    } else if (auto* refusal = std::get_if<GatewayError>(&decision)) {
      co_await send_error(exchange, context, scope.client, *refusal);
    } else if (auto* response = std::get_if<http::ClientResponse>(&decision)) {
      co_await exchange.response.send(std::move(*response));
    } else {
      co_await serve_admin(scope, services);
    }
    // 7. settle: by the SettleGuard above, however this ends
  } catch (const std::exception& e) {
    failure = e.what();
  }
  if (!failure.empty()) {
    log::error("request failed with an exception", {{"request_id", context.outcome.request_id}, {"error", failure}});
    GatewayError error = make_error(ErrorKind::internal, "internal error", "internal_error");
    if (!exchange.response.committed()) {
      co_await send_error(exchange, context, scope.client, error);
    } else {
      context.outcome.ending = Ending::stream_failed;
      context.outcome.error_code = error.code;
      co_await exchange.response.write_chunk(scope.client.error_frame(error));
      co_await exchange.response.end_stream();
    }
  }
  context.finished = true;
}

http::ClientResponse settle_rejection(const GatewayServices& services, const http::Rejection& rejection) {
  GatewayError error =
      error_for_status(rejection.status, std::string(rejection.message), code_for_status(rejection.status));
  const DialectCodec& client = codec_for(match_route(rejection.method, rejection.target).dialect);
  RequestContext context;
  start_record(context, rejection.request_id, rejection.method, rejection.target, rejection.received_at);
  context.record_error(error);
  context.finished = true;
  SettleGuard settle(context, services.sinks);
  return json_response(error.status, client.error_body(error, rejection.request_id));
}

}  // namespace switchyard::server
