// Operator views of the routing state: GET /admin/deployments (JSON, master key) and
// GET /metrics (Prometheus text). The metrics issue grows /metrics into the full set.
#pragma once

#include <string>

#include "routing/router.h"

namespace switchyard::server {

std::string deployments_json(const routing::Router& router);
std::string metrics_text(const routing::Router& router);

}  // namespace switchyard::server
