#include "server/admin_api.h"

#include <boost/json/serialize.hpp>

#include "server/admin.h"
#include "server/config_reloader.h"
#include "server/keys_api.h"
#include "server/responses.h"
#include "server/upstream_relay.h"
#include "server/usage_api.h"

namespace switchyard::server {
namespace net = boost::asio;
namespace json = boost::json;

namespace {

std::string reload_failure_json(const ReloadResult& result) {
  json::array problems;
  for (const std::string& problem : result.errors) problems.push_back(json::string(problem));
  json::object error{{"message", "the configuration was not reloaded: it has " + std::to_string(result.errors.size()) +
                                     " problem(s); the running configuration stays in force"},
                     {"type", "invalid_request_error"},
                     {"code", "invalid_config"}};
  return json::serialize(json::object{{"error", std::move(error)}, {"errors", std::move(problems)}});
}

std::string reload_success_json(const ConfigInfo& info, const ReloadResult& result) {
  json::object out = config_info_object(info);
  json::array restart;
  for (const std::string& setting : result.restart_required) restart.push_back(json::string(setting));
  out["changed"] = result.changed;
  out["restart_required"] = std::move(restart);
  return json::serialize(out);
}

// `body` by reference: g++ 12 may destroy a coroutine's by-value class parameter twice.
net::awaitable<void> answer(RequestScope& scope, int status, const std::string& body) {
  scope.context.outcome.status = status;
  co_await scope.exchange.response.send(json_response(status, body));
}

}  // namespace

bool is_admin_operation(Operation operation) {
  return operation == Operation::admin_deployments || operation == Operation::admin_config ||
         operation == Operation::admin_reload || operation == Operation::admin_usage ||
         operation == Operation::admin_requests || operation == Operation::admin_keys ||
         operation == Operation::admin_teams;
}

net::awaitable<void> serve_admin(RequestScope& scope, const GatewayServices& services) {
  scope.context.outcome.operation = "admin";
  if (scope.context.outcome.principal.kind == Principal::Kind::virtual_key) {
    co_await send_error(scope.exchange, scope.context, scope.client,
                        make_error(ErrorKind::permission, "the admin API takes the master key only", "forbidden"));
    co_return;
  }
  switch (scope.route.operation) {
    case Operation::admin_deployments:
      co_await answer(scope, 200, deployments_json(scope.runtime->router));
      co_return;
    case Operation::admin_config:
      co_await answer(scope, 200, json::serialize(config_info_object(*services.config.info())));
      co_return;
    case Operation::admin_reload: {
      if (!services.reloader) {
        co_await send_error(scope.exchange, scope.context, scope.client,
                            make_error(ErrorKind::invalid_request,
                                       "the gateway runs on the embedded default configuration: there is no file to "
                                       "reload (start it with --config FILE)",
                                       "no_config_file"));
        co_return;
      }
      ReloadResult result = co_await services.reloader->reload_from_request();
      if (!result.ok) {
        scope.context.outcome.error_code = "invalid_config";
        scope.context.outcome.ending = Ending::rejected;
        co_await answer(scope, 400, reload_failure_json(result));
        co_return;
      }
      co_await answer(scope, 200, reload_success_json(*services.config.info(), result));
      co_return;
    }
    case Operation::admin_usage:
    case Operation::admin_requests:
      if (!services.ledger) {
        co_await send_error(scope.exchange, scope.context, scope.client,
                            make_error(ErrorKind::not_found, "the usage ledger is off (storage.ledger: false)",
                                       "ledger_off"));
      } else if (scope.route.operation == Operation::admin_usage) {
        co_await serve_usage(scope, *services.ledger);
      } else {
        co_await serve_requests(scope, *services.ledger);
      }
      co_return;
    case Operation::admin_keys:
    case Operation::admin_teams:
      co_await serve_access_records(scope, services);
      co_return;
    default:
      co_return;
  }
}

}  // namespace switchyard::server
