#include "server/gateway.h"

#include <ctime>

#include "core/log.h"
#include "dialects/codec.h"
#include "dialects/routes.h"
#include "server/admin.h"
#include "server/count_pipeline.h"
#include "server/embed_pipeline.h"
#include "server/generate_pipeline.h"
#include "server/request_context.h"
#include "server/responses.h"

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

// Sends an error in the caller's dialect and records it for the settle phase.
net::awaitable<void> fail(http::Exchange& exchange, RequestContext& context, Dialect dialect, const GatewayError& error) {
  context.status = error.status;
  context.error_code = error.code;
  co_await exchange.response.send(error_response(dialect, error, context.request_id));
}

// Gemini clients may send their key as ?key=; it must never reach logs or upstreams.
std::string_view query_key(std::string_view target) {
  std::size_t query = target.find('?');
  while (query != std::string_view::npos) {
    std::string_view rest = target.substr(query + 1);
    if (rest.starts_with("key=")) {
      rest.remove_prefix(4);
      return rest.substr(0, rest.find('&'));
    }
    query = target.find('&', query + 1);
  }
  return {};
}

// GET /v1/models answers in Anthropic's shape to Anthropic SDKs, which send anthropic-version.
Dialect models_dialect(const RouteMatch& route, const http::ClientRequest& request) {
  if (route.dialect == Dialect::openai_chat && !request.header("anthropic-version").empty()) return Dialect::anthropic_messages;
  return route.dialect;
}

}  // namespace

http::ClientResponse Gateway::reject(const http::Rejection& rejection) {
  GatewayError error =
      error_for_status(rejection.status, std::string(rejection.message), code_for_status(rejection.status));
  Dialect dialect = match_route(rejection.method, rejection.target).dialect;
  RequestContext context;
  context.request_id = rejection.request_id;
  context.method = std::string(rejection.method);
  context.path = std::string(rejection.target);
  context.received_at = rejection.received_at;
  context.status = error.status;
  context.error_code = error.code;
  SettleGuard settle(context);
  return error_response(dialect, error, rejection.request_id);
}

net::awaitable<void> Gateway::handle(http::Exchange& exchange) {
  std::shared_ptr<const Runtime> runtime = runtime_.load(std::memory_order_acquire);
  const http::ClientRequest& request = exchange.request;

  RequestContext context;
  context.request_id = exchange.request_id;
  context.method = std::string(request.method());
  context.path = std::string(request.target());
  context.received_at = exchange.received_at;
  SettleGuard settle(context);

  RouteMatch route = match_route(request.method(), request.target());
  switch (route.operation) {
    case Operation::healthz:
      context.log_access = false;
      context.status = 200;
      co_await exchange.response.send(json_response(200, R"({"status":"ok"})"));
      co_return;
    case Operation::readyz: {
      context.log_access = false;
      bool draining = draining_.load(std::memory_order_acquire);
      context.status = draining ? 503 : 200;
      co_await exchange.response.send(
          json_response(context.status, draining ? R"({"status":"draining"})" : R"({"status":"ready"})"));
      co_return;
    }
    case Operation::unknown_path:
      co_await fail(exchange, context, route.dialect,
                    make_error(ErrorKind::not_found,
                               "Unknown request URL: " + context.method + " " + context.path.substr(0, context.path.find('?')),
                               "unknown_url"));
      co_return;
    case Operation::wrong_method:
      co_await fail(exchange, context, route.dialect,
                    make_error(ErrorKind::method_not_allowed,
                               "Method " + context.method + " is not allowed here; use " + std::string(route.allowed_method),
                               "method_not_allowed"));
      co_return;
    case Operation::metrics:
      context.log_access = false;
      context.status = 200;
      {
        http::ClientResponse response = json_response(200, metrics_text(runtime->router));
        response.set("Content-Type", "text/plain; version=0.0.4");
        co_await exchange.response.send(std::move(response));
      }
      co_return;
    case Operation::admin_deployments:
    case Operation::list_models:
    case Operation::generate:
    case Operation::count_tokens:
    case Operation::embed:
      break;
  }

  // Admit, part one: who is calling. Done before the body is parsed, so unauthenticated
  // clients cannot make the gateway do work.
  std::string_view credential = policy::presented_credential(
      request.header("authorization"), request.header("x-api-key"), request.header("x-goog-api-key"));
  if (credential.empty()) credential = query_key(request.target());
  if (!runtime->master_key.accepts(credential)) {
    co_await fail(exchange, context, route.dialect,
                  make_error(ErrorKind::authentication,
                             credential.empty() ? "Missing API key. Send it as 'Authorization: Bearer <key>'."
                                                : "Incorrect API key provided.",
                             "invalid_api_key"));
    co_return;
  }

  if (route.operation == Operation::admin_deployments) {
    context.status = 200;
    co_await exchange.response.send(json_response(200, deployments_json(runtime->router)));
    co_return;
  }
  if (route.operation == Operation::list_models) {
    std::vector<ModelListEntry> models;
    for (const auto& alias : runtime->router.aliases()) models.push_back({alias.name, "switchyard"});
    context.status = 200;
    co_await exchange.response.send(json_response(200, codec_for(models_dialect(route, request)).model_list_body(models)));
    co_return;
  }

  // Errors are values on the data plane; an exception is a bug. It still gets a 500 in
  // the caller's dialect (or an in-stream error) and a settled record.
  std::string failure;
  try {
    if (route.operation == Operation::embed) {
      co_await run_embed(*runtime, exchange, context, route);
    } else if (route.operation == Operation::count_tokens) {
      co_await run_count_tokens(*runtime, exchange, context, route);
    } else {
      co_await run_generate(*runtime, exchange, context, route);
    }
  } catch (const std::exception& e) {
    failure = e.what();
  }
  if (!failure.empty()) {
    log::error("request failed with an exception", {{"request_id", context.request_id}, {"error", failure}});
    GatewayError error = make_error(ErrorKind::internal, "internal error", "internal_error");
    context.error_code = error.code;
    if (!exchange.response.committed()) {
      co_await fail(exchange, context, route.dialect, error);
    } else {
      co_await exchange.response.write_chunk(codec_for(route.dialect).error_frame(error));
      co_await exchange.response.end_stream();
    }
  }
}

}  // namespace switchyard::server
