// Operator views of the gateway's state: GET /admin/deployments (JSON) and GET /metrics
// (Prometheus text: the request metrics, the gauges of what is in progress, each configured
// deployment's routing state, the ledger's and the reloads' counters).
#pragma once

#include <string>

#include "routing/router.h"
#include "server/active_config.h"

namespace switchyard {
namespace telemetry {
class OtlpExporter;
class RequestMetrics;
}
namespace ledger {
class Ledger;
}
namespace policy {
struct AccessControl;
}
}  // namespace switchyard

namespace switchyard::server {

std::string deployments_json(const routing::Router& router);

// `requests`, `ledger`, `traces` and `access` may be null (off).
std::string metrics_text(const routing::Router& router, const ActiveConfig& config,
                         const telemetry::RequestMetrics* requests, const ledger::Ledger* ledger,
                         const telemetry::OtlpExporter* traces, const policy::AccessControl* access = nullptr);

}  // namespace switchyard::server
