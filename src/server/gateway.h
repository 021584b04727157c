// The gateway's RequestHandler: hands every request to the pipeline (pipeline.h) with what
// the process provides it: the configuration in force, the outcome sinks, the reloader.
#pragma once

#include <atomic>

#include "http/server.h"
#include "server/active_config.h"
#include "server/pipeline.h"
#include "server/request_context.h"

namespace switchyard::server {

// What the process provides besides the configuration and the sinks; each may be absent.
// Everything pointed to must outlive the gateway.
struct GatewayParts {
  ConfigReloader* reloader = nullptr;          // null: no file to reload
  store::ResponseStore* responses = nullptr;   // null: no Responses API answers are kept
  ledger::Ledger* ledger = nullptr;            // null: no usage ledger
  const telemetry::RequestMetrics* metrics = nullptr;
  std::optional<double> trace_sample_ratio;    // none: no tracing
  const telemetry::OtlpExporter* traces = nullptr;  // for its counters in /metrics
  policy::AccessControl* access = nullptr;     // null: no virtual keys
};

class Gateway final : public http::RequestHandler {
 public:
  Gateway(ActiveConfig& config, SinkSet sinks, GatewayParts parts = {})
      : sinks_(std::move(sinks)),
        services_{config, sinks_, draining_, parts.reloader, parts.responses, parts.ledger, parts.metrics,
                  parts.trace_sample_ratio, parts.traces, parts.access} {}

  boost::asio::awaitable<void> handle(http::Exchange& exchange) override { return run_pipeline(services_, exchange); }
  http::ClientResponse reject(const http::Rejection& rejection) override {
    return settle_rejection(services_, rejection);
  }
  void on_drain() override { draining_.store(true, std::memory_order_release); }

 private:
  SinkSet sinks_;
  std::atomic<bool> draining_{false};
  GatewayServices services_;
};

}  // namespace switchyard::server
