#include "server/pipeline.h"

#include "core/log.h"
#include "dialects/codec.h"
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
}

// Route, the part answered without a caller's key: health probes, metrics, and what no
// route names. True when answered.
net::awaitable<bool> answer_unauthenticated(RequestScope& scope, const GatewayServices& services) {
  RequestContext& context = scope.context;
  Outcome& outcome = context.outcome;
  auto answer = [&](int status, std::string_view body) -> net::awaitable<bool> {
    outcome.health_probe = true;
    outcome.status = status;
    co_await scope.exchange.response.send(json_response(status, std::string(body)));
    co_return true;
  };
  switch (scope.route.operation) {
    case Operation::healthz: co_return co_await answer(200, R"({"status":"ok"})");
    case Operation::readyz:
      if (services.draining.load(std::memory_order_acquire)) co_return co_await answer(503, R"({"status":"draining"})");
      co_return co_await answer(200, R"({"status":"ready"})");
    case Operation::metrics: {
      outcome.health_probe = true;
      outcome.status = 200;
      http::ClientResponse response = json_response(200, metrics_text(scope.runtime->router, services.config));
      response.set("Content-Type", "text/plain; version=0.0.4");
      co_await scope.exchange.response.send(std::move(response));
      co_return true;
    }
    case Operation::unknown_path:
      co_await send_error(scope.exchange, context, scope.client,
                          make_error(ErrorKind::not_found, "Unknown request URL: " + outcome.method + " " + outcome.path,
                                     "unknown_url"));
      co_return true;
    case Operation::wrong_method:
      co_await send_error(scope.exchange, context, scope.client,
                          make_error(ErrorKind::method_not_allowed,
                                     "Method " + outcome.method + " is not allowed here; use " +
                                         std::string(scope.route.allowed_method),
                                     "method_not_allowed"));
      co_return true;
    default: co_return false;
  }
}

// Authenticate: the credential the request presents, in its SDK's way -> who is calling.
// Done before the body is parsed, so unauthenticated clients cannot make the gateway work.
net::awaitable<bool> authenticate(RequestScope& scope) {
  auto principal = scope.runtime->authenticator.authenticate(presented_credential(scope.exchange.request));
  if (!principal) {
    co_await send_error(scope.exchange, scope.context, scope.client, principal.error());
    co_return false;
  }
  scope.context.outcome.principal = std::move(principal.value());
  co_return true;
}

// Parse, admit, then the attempts and their answer (or an answer made locally).
net::awaitable<void> serve_operation(RequestScope& scope, OperationHandler& operation) {
  Outcome& outcome = scope.context.outcome;
  outcome.operation = operation.name();
  outcome.dialect = std::string(dialect_name(scope.client.dialect));

  auto parsed = operation.parse();
  if (!parsed) {
    co_await send_error(scope.exchange, scope.context, scope.client, parsed.error());
    co_return;
  }
  outcome.model = parsed->model;
  outcome.stream = parsed->stream;

  policy::AdmissionRequest admission{outcome.principal, operation.name(), parsed->model, parsed->stream,
                                     parsed->max_output_tokens};
  if (auto refusal = scope.runtime->admission.admit(admission, outcome.reservation)) {
    co_await send_error(scope.exchange, scope.context, scope.client, *refusal);
    co_return;
  }

  if (co_await operation.answer_locally()) co_return;
  co_await run_attempts(scope, operation, parsed.value());
}

std::unique_ptr<OperationHandler> make_operation(RequestScope& scope) {
  switch (scope.route.operation) {
    case Operation::generate: return make_generate_operation(scope);
    case Operation::embed: return make_embed_operation(scope);
    case Operation::count_tokens: return make_count_tokens_operation(scope);
    case Operation::list_models: return make_model_list_operation(scope);
    default: return nullptr;
  }
}

net::awaitable<void> serve(RequestScope& scope, const GatewayServices& services) {
  if (co_await answer_unauthenticated(scope, services)) co_return;
  if (!co_await authenticate(scope)) co_return;
  if (is_admin_operation(scope.route.operation)) {
    co_await serve_admin(scope, services);
    co_return;
  }
  std::unique_ptr<OperationHandler> operation = make_operation(scope);
  co_await serve_operation(scope, *operation);
}

}  // namespace

net::awaitable<void> run_pipeline(const GatewayServices& services, http::Exchange& exchange) {
  const http::ClientRequest& request = exchange.request;
  RequestContext context;
  start_record(context, exchange.request_id, request.method(), request.target(), exchange.received_at);
  SettleGuard settle(context, services.sinks);  // settle: exactly once, however this ends

  RouteMatch route = match_route(request.method(), request.target());
  const DialectCodec& client = codec_for(route.dialect);  // whose shape answers and errors take
  RequestScope scope{exchange, context, services.config.runtime(), std::move(route), client};

  // Errors are values on the data plane; an exception is a bug. It still gets a 500 in
  // the caller's dialect (or an in-stream error) and a settled record.
  std::string failure;
  try {
    co_await serve(scope, services);
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
