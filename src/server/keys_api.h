// The admin API for virtual keys and teams (master key only):
//
//   POST   /admin/keys                {name, team?, models?, rpm?, tpm?, max_parallel?, budget?, expires_at?, metadata?}
//                                     → 201, the key with its secret (`key`), shown this once
//   GET    /admin/keys                → {"data": [key, ...]}, never a secret
//   GET    /admin/keys/{id}
//   PATCH  /admin/keys/{id}           the fields to change (null clears a limit)
//   DELETE /admin/keys/{id}           revokes it (it stays listed, "revoked": true)
//   POST   /admin/keys/{id}/rotate    {grace_period?: "30s"} → the key with its new secret
//   /admin/teams, /admin/teams/{id}   the same verbs (no rotate); a revoked team's keys stop working
//
// Keys declared in the configuration file are listed but read-only (409). Validation errors
// are 400s naming the field (`param`).
#pragma once

#include <boost/asio/awaitable.hpp>

#include "server/operation.h"
#include "server/pipeline.h"

namespace switchyard::server {

boost::asio::awaitable<void> serve_access_records(RequestScope& scope, const GatewayServices& services);

}  // namespace switchyard::server
