// Everything one request accumulates on its way through the pipeline, in one typed struct:
// the outcome record the settle phase hands to the sinks, and the clocks its timings come
// from. Also the settle phase itself: SettleGuard.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/outcome.h"
#include "core/request_gauges.h"
#include "http/server.h"
#include "pricing/model_price.h"

namespace switchyard::server {

struct RequestContext {
  using Clock = std::chrono::steady_clock;

  Outcome outcome;
  Clock::time_point received_at;
  std::optional<Clock::time_point> first_token_at;  // the first content delta (or whole answer)
  Clock::duration upstream_time{};  // inside finished upstream exchanges
  Clock::duration waited{};         // retry backoff
  bool finished = false;            // the pipeline ran to its end (not destroyed mid-way)
  bool reports_rate_limits = false;  // the caller's own x-ratelimit-* headers are set (a limited virtual key)
  // The price of the deployment that served (or was last tried); null when unknown.
  const pricing::ModelPrice* price = nullptr;
  // A stream that started: what was relayed of it, for when it is cut before the upstream
  // reported its usage (the settle phase then records this estimate, and says so).
  struct StreamEstimate {
    bool started = false;
    std::int64_t input_tokens = 0;
    std::int64_t output_tokens = 0;
  } stream_estimate;

  // Time spent in the gateway itself so far: everything but upstream exchanges (finished
  // ones, and the one running since `attempt_started`, if any) and backoff.
  std::chrono::microseconds overhead(std::optional<Clock::time_point> attempt_started = {}) const;
  // x-switchyard-deployment, -attempts and -overhead-us on the response about to start.
  void set_routing_headers(http::ResponseChannel& channel, const std::string& deployment,
                           std::optional<Clock::time_point> attempt_started = {}) const;

  // The answer is a stream and its first event is going out: from here on it counts as an
  // open stream, and a cut is billed (see stream_estimate).
  void stream_started(std::int64_t input_estimate);

  // Records an error answer the gateway made itself (not one relayed from an upstream).
  void record_error(const GatewayError& error);
  // The client closed its connection before the answer was complete.
  void client_closed();
  // Appends one attempt to the attempt log: "provider/model:outcome" (and ends its span).
  void log_attempt(std::string_view label, std::string_view result);
  // The traceparent for an attempt's upstream call: a new span of this request's trace when
  // it is traced here, else the client's own traceparent passed on (or none).
  std::string attempt_traceparent(std::string_view label);
};

// The sinks every outcome goes to. Fixed when the gateway starts; they outlive reloads.
class SinkSet {
 public:
  void add(std::shared_ptr<OutcomeSink> sink) { sinks_.push_back(std::move(sink)); }
  void settle(const Outcome& outcome) const noexcept {
    for (const auto& sink : sinks_) sink->on_outcome(outcome);
  }

 private:
  std::vector<std::shared_ptr<OutcomeSink>> sinks_;
};

// Settles a request exactly once, whatever path it took out of the pipeline (normal
// return, exception, or a coroutine destroyed at shutdown): completes the outcome's
// timings and ending, then hands it to every sink.
class SettleGuard {
 public:
  SettleGuard(RequestContext& context, const SinkSet& sinks) : context_(context), sinks_(sinks) {
    request_gauges().in_flight.fetch_add(1, std::memory_order_relaxed);
  }
  ~SettleGuard();
  SettleGuard(const SettleGuard&) = delete;
  SettleGuard& operator=(const SettleGuard&) = delete;

 private:
  RequestContext& context_;
  const SinkSet& sinks_;
};

}  // namespace switchyard::server
