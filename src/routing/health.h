// What the gateway has learned about one deployment, shared by every thread: requests in
// flight, a latency average, and the circuit breaker. After `failures` failures within
// `window` the deployment cools down for `duration`; then one probe request is let through
// (half-open): its success closes the circuit, its failure starts another cooldown.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <deque>
#include <mutex>
#include <string_view>
#include <utility>

#include "core/units.h"

namespace switchyard::routing {

struct CooldownPolicy {
  int failures = 3;  // 0: never cool down
  Millis window{std::chrono::seconds(30)};
  Millis duration{std::chrono::seconds(30)};
  bool configured = false;  // set explicitly in the configuration
};

// The upstream key's own limits for one deployment, per minute; 0: none.
struct RateLimits {
  std::int64_t rpm = 0;
  std::int64_t tpm = 0;
};

enum class HealthState { healthy, cooling_down, half_open };
std::string_view health_state_name(HealthState state);

class DeploymentHealth {
 public:
  using Clock = std::chrono::steady_clock;

  explicit DeploymentHealth(CooldownPolicy policy = {}) : policy_(policy) {}

  // A reloaded configuration may change the policy; what was learned stays.
  void set_policy(const CooldownPolicy& policy);

  // Whether a request may go to this deployment now. In half-open state only the first
  // caller gets true (the probe, flagged in `probe`) until that probe reports back.
  bool admit(Clock::time_point now, bool* probe = nullptr);
  // A probe that ended without a verdict (the request was refused before sending, or the
  // client went away) hands half-open back, so the next request can probe.
  void abandon_probe();
  HealthState state(Clock::time_point now) const;
  // When a cooling deployment may be probed again.
  Clock::time_point cooldown_until() const;

  // An admitted attempt's verdict: it moves the breaker (a probe's closes or reopens it).
  void on_success(std::chrono::microseconds latency);
  void on_failure(Clock::time_point now);
  // An attempt that the breaker did not admit (its alias has the breaker off, or it was
  // admitted before the breaker opened) only counts: it neither opens nor closes it.
  void observe_success(std::chrono::microseconds latency);
  void observe_failure();
  bool cooling() const;

  // Requests in flight, for least-busy routing.
  void started() { in_flight_.fetch_add(1, std::memory_order_relaxed); }
  void finished() { in_flight_.fetch_sub(1, std::memory_order_relaxed); }
  int in_flight() const { return in_flight_.load(std::memory_order_relaxed); }

  // Exponentially weighted moving average of latency (time to first token for streams,
  // total time otherwise); 0 until the first success.
  std::int64_t latency_us() const { return latency_us_.load(std::memory_order_relaxed); }

  // Requests and tokens in the current minute, against the deployment's own rpm/tpm.
  bool within(const RateLimits& limits, Clock::time_point now) const;
  void record_request(Clock::time_point now);
  void record_tokens(std::int64_t tokens, Clock::time_point now);

  std::uint64_t successes() const { return successes_.load(std::memory_order_relaxed); }
  std::uint64_t failures() const { return failures_total_.load(std::memory_order_relaxed); }

 private:
  CooldownPolicy policy_;
  std::atomic<int> in_flight_{0};
  std::atomic<std::int64_t> latency_us_{0};
  std::atomic<std::uint64_t> successes_{0};
  std::atomic<std::uint64_t> failures_total_{0};
  // A fixed one-minute window: its number, and what was used in it. Racing resets at a
  // minute boundary can lose a few counts; limits are kept approximately, never exceeded
  // by more than the requests in flight at that instant.
  void roll_window(Clock::time_point now);
  std::atomic<std::int64_t> window_{0};
  std::atomic<std::int64_t> window_requests_{0};
  std::atomic<std::int64_t> window_tokens_{0};
  mutable std::mutex mutex_;  // guards the circuit breaker below
  std::deque<Clock::time_point> recent_failures_;
  Clock::time_point cooldown_until_{};
  bool cooling_ = false;
  bool probe_out_ = false;
};

// Holds a deployment's in-flight count for the lifetime of one attempt, and gives back a
// half-open probe that ended without a verdict.
class InFlight {
 public:
  explicit InFlight(DeploymentHealth* health, bool probe = false) : health_(health), probe_(probe) {
    if (health_) health_->started();
  }
  ~InFlight() { release(); }
  // The probe had its verdict: nothing to hand back.
  void probe_resolved() { probe_ = false; }
  InFlight(InFlight&& other) noexcept : health_(std::exchange(other.health_, nullptr)), probe_(other.probe_) {}
  InFlight& operator=(InFlight&& other) noexcept {
    if (this != &other) {
      release();
      health_ = std::exchange(other.health_, nullptr);
      probe_ = other.probe_;
    }
    return *this;
  }
  InFlight(const InFlight&) = delete;
  InFlight& operator=(const InFlight&) = delete;

 private:
  void release() {
    if (!health_) return;
    health_->finished();
    if (probe_) health_->abandon_probe();
    health_ = nullptr;
  }

  DeploymentHealth* health_;
  bool probe_;
};

}  // namespace switchyard::routing
