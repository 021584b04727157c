// Everything one request accumulates on its way through the pipeline, in one typed struct.
// The settle phase turns it into the access-log line (and later the ledger row and metrics).
#pragma once

#include <chrono>
#include <optional>
#include <string>

#include "core/usage.h"
#include "http/server.h"

namespace switchyard::server {

struct RequestContext {
  std::string request_id;
  std::string method;
  std::string path;
  std::chrono::steady_clock::time_point received_at;
  bool log_access = true;  // health probes are not logged

  std::string dialect;
  std::string model;  // as the client asked
  bool stream = false;

  std::string provider;        // the deployment that answered
  std::string upstream_model;
  int attempts = 0;
  int upstream_status = 0;
  std::chrono::steady_clock::duration upstream_time{};
  std::chrono::steady_clock::duration waited{};  // retry backoff
  std::string attempt_log;  // "oai/gpt-4o-mini:502,ant/claude-sonnet-4-5:200"

  int status = 0;  // sent to the client
  std::string error_code;
  Usage usage;

  // Time spent in the gateway itself so far: everything but upstream exchanges (finished
  // ones, and the one running since `attempt_started`, if any) and backoff.
  std::chrono::microseconds overhead(std::optional<std::chrono::steady_clock::time_point> attempt_started = {}) const;
  // x-switchyard-deployment, -attempts and -overhead-us on the response about to start.
  void set_routing_headers(http::ResponseChannel& channel, const std::string& deployment,
                           std::optional<std::chrono::steady_clock::time_point> attempt_started = {}) const;
};

// Settles a request exactly once, whatever path it took out of the pipeline (normal
// return, exception, or a coroutine destroyed at shutdown).
class SettleGuard {
 public:
  explicit SettleGuard(RequestContext& context) : context_(context) {}
  ~SettleGuard();
  SettleGuard(const SettleGuard&) = delete;
  SettleGuard& operator=(const SettleGuard&) = delete;

 private:
  RequestContext& context_;
};

}  // namespace switchyard::server
