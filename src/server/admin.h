// Operator views of the gateway's state: GET /admin/deployments (JSON) and GET /metrics
// (Prometheus text). The metrics issue grows /metrics into the full set.
#pragma once

#include <string>

#include "routing/router.h"
#include "server/active_config.h"

namespace switchyard::server {

std::string deployments_json(const routing::Router& router);
std::string metrics_text(const routing::Router& router, const ActiveConfig& config);

}  // namespace switchyard::server
