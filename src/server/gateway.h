// The gateway's RequestHandler: hands every request to the pipeline (pipeline.h) with what
// the process provides it: the configuration in force, the outcome sinks, the reloader.
#pragma once

#include <atomic>

#include "http/server.h"
#include "server/active_config.h"
#include "server/pipeline.h"
#include "server/request_context.h"

namespace switchyard::server {

class Gateway final : public http::RequestHandler {
 public:
  // `config` and `reloader` (null: no file to reload) must outlive the gateway.
  // `responses` (null: none are kept) and `ledger` (null: none is kept) must outlive the
  // gateway too.
  Gateway(ActiveConfig& config, SinkSet sinks, ConfigReloader* reloader = nullptr,
          store::ResponseStore* responses = nullptr, ledger::Ledger* ledger = nullptr,
          const telemetry::RequestMetrics* metrics = nullptr)
      : sinks_(std::move(sinks)), services_{config, sinks_, draining_, reloader, responses, ledger, metrics} {}

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
