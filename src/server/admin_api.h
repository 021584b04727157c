// The admin API (/admin/...): the operator's view and controls. Only the master key may
// use it (or anyone, on loopback, when no master key is set).
//
//   GET  /admin/deployments  each deployment's routing state
//   GET  /admin/config       the configuration in force: {hash, loaded_at, source, trigger, config}
//   POST /admin/reload       reload the configuration file; the same object, or 400 with its problems
//   GET  /admin/usage        the usage ledger, grouped (usage_api.h)
//   GET  /admin/requests     the usage ledger, row by row (usage_api.h)
#pragma once

#include <boost/asio/awaitable.hpp>

#include "dialects/routes.h"
#include "server/operation.h"
#include "server/pipeline.h"

namespace switchyard::server {

bool is_admin_operation(Operation operation);

boost::asio::awaitable<void> serve_admin(RequestScope& scope, const GatewayServices& services);

}  // namespace switchyard::server
