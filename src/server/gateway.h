// The gateway's RequestHandler: routes each request to its operation and runs the
// pipeline phases (admit, parse, plan, attempt, stream, settle) described in
// docs/life-of-a-request.md.
#pragma once

#include <atomic>
#include <memory>

#include "http/server.h"
#include "server/runtime.h"

namespace switchyard::server {

class Gateway final : public http::RequestHandler {
 public:
  explicit Gateway(std::shared_ptr<const Runtime> runtime) : runtime_(std::move(runtime)) {}

  boost::asio::awaitable<void> handle(http::Exchange& exchange) override;
  http::ClientResponse reject(const http::Rejection& rejection) override;
  void on_drain() override { draining_.store(true, std::memory_order_release); }

 private:
  std::atomic<std::shared_ptr<const Runtime>> runtime_;
  std::atomic<bool> draining_{false};
};

}  // namespace switchyard::server
