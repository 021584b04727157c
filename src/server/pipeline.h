// The request pipeline: one skeleton for every operation, read top to bottom in
// pipeline.cc, each phase a named step (see docs/life-of-a-request.md):
//
//   route -> authenticate -> parse -> admit -> attempts -> respond -> settle
//
// Operations (operation.h) supply only what differs: how to parse, how to build the
// upstream body, how to answer. New concerns plug into a phase's seam: an authenticator
// (policy/authenticator.h), an admission step (policy/admission.h), an outcome sink
// (core/outcome.h); none needs an edit here.
#pragma once

#include <atomic>
#include <optional>
#include <boost/asio/awaitable.hpp>

#include "http/server.h"
#include "server/active_config.h"
#include "server/request_context.h"

namespace switchyard::ledger {
class Ledger;
}

namespace switchyard::telemetry {
class OtlpExporter;
class RequestMetrics;
}

namespace switchyard::store {
class ResponseStore;
}

namespace switchyard::policy {
struct AccessControl;
}

namespace switchyard::server {

class ConfigReloader;

// What every request needs from the process.
struct GatewayServices {
  ActiveConfig& config;
  const SinkSet& sinks;
  const std::atomic<bool>& draining;
  ConfigReloader* reloader = nullptr;  // null: nothing to reload (the embedded default)
  store::ResponseStore* responses = nullptr;  // null: no Responses API answers are kept
  ledger::Ledger* ledger = nullptr;           // null: the usage ledger is off
  const telemetry::RequestMetrics* metrics = nullptr;  // null: no request metrics are kept
  std::optional<double> trace_sample_ratio;  // none: tracing is off (traceparent only passed on)
  const telemetry::OtlpExporter* traces = nullptr;  // null: no traces are exported
  policy::AccessControl* access = nullptr;  // null: no virtual keys (the master key only)
};

boost::asio::awaitable<void> run_pipeline(const GatewayServices& services, http::Exchange& exchange);

// Settles a request the HTTP server refused before a handler saw it (malformed HTTP, a body
// over the limit), and returns its answer in the dialect of its path.
http::ClientResponse settle_rejection(const GatewayServices& services, const http::Rejection& rejection);

}  // namespace switchyard::server
