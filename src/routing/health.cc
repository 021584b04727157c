#include "routing/health.h"

namespace switchyard::routing {

std::string_view health_state_name(HealthState state) {
  switch (state) {
    case HealthState::healthy: return "healthy";
    case HealthState::cooling_down: return "cooling_down";
    case HealthState::half_open: return "half_open";
  }
  return "healthy";
}

void DeploymentHealth::set_policy(const CooldownPolicy& policy) {
  std::lock_guard lock(mutex_);
  policy_ = policy;
}

bool DeploymentHealth::admit(Clock::time_point now, bool* probe) {
  std::lock_guard lock(mutex_);
  if (probe) *probe = false;
  if (!cooling_) return true;
  if (now < cooldown_until_) return false;
  if (probe_out_) return false;
  probe_out_ = true;  // this caller is the half-open probe
  if (probe) *probe = true;
  return true;
}

void DeploymentHealth::abandon_probe() {
  std::lock_guard lock(mutex_);
  probe_out_ = false;
}

HealthState DeploymentHealth::state(Clock::time_point now) const {
  std::lock_guard lock(mutex_);
  if (!cooling_) return HealthState::healthy;
  return now < cooldown_until_ ? HealthState::cooling_down : HealthState::half_open;
}

DeploymentHealth::Clock::time_point DeploymentHealth::cooldown_until() const {
  std::lock_guard lock(mutex_);
  return cooldown_until_;
}

namespace {
std::int64_t minute_of(DeploymentHealth::Clock::time_point now) {
  return std::chrono::duration_cast<std::chrono::minutes>(now.time_since_epoch()).count();
}
}  // namespace

void DeploymentHealth::roll_window(Clock::time_point now) {
  std::int64_t minute = minute_of(now);
  std::int64_t current = window_.load(std::memory_order_relaxed);
  if (current != minute && window_.compare_exchange_strong(current, minute, std::memory_order_relaxed)) {
    window_requests_.store(0, std::memory_order_relaxed);
    window_tokens_.store(0, std::memory_order_relaxed);
  }
}

bool DeploymentHealth::within(const RateLimits& limits, Clock::time_point now) const {
  if (limits.rpm == 0 && limits.tpm == 0) return true;
  if (window_.load(std::memory_order_relaxed) != minute_of(now)) return true;  // a fresh minute
  if (limits.rpm > 0 && window_requests_.load(std::memory_order_relaxed) >= limits.rpm) return false;
  if (limits.tpm > 0 && window_tokens_.load(std::memory_order_relaxed) >= limits.tpm) return false;
  return true;
}

void DeploymentHealth::record_request(Clock::time_point now) {
  roll_window(now);
  window_requests_.fetch_add(1, std::memory_order_relaxed);
}

void DeploymentHealth::record_tokens(std::int64_t tokens, Clock::time_point now) {
  roll_window(now);
  window_tokens_.fetch_add(tokens, std::memory_order_relaxed);
}

void DeploymentHealth::observe_success(std::chrono::microseconds latency) {
  successes_.fetch_add(1, std::memory_order_relaxed);
  // EWMA with alpha 0.3: recent enough to react within a few requests, smooth enough to
  // ignore one outlier. The read-modify-write race between threads only blurs the average.
  std::int64_t previous = latency_us_.load(std::memory_order_relaxed);
  std::int64_t sample = std::max<std::int64_t>(1, latency.count());
  latency_us_.store(previous == 0 ? sample : (previous * 7 + sample * 3) / 10, std::memory_order_relaxed);
}

void DeploymentHealth::observe_failure() { failures_total_.fetch_add(1, std::memory_order_relaxed); }

bool DeploymentHealth::cooling() const {
  std::lock_guard lock(mutex_);
  return cooling_;
}

void DeploymentHealth::on_success(std::chrono::microseconds latency) {
  observe_success(latency);
  std::lock_guard lock(mutex_);
  cooling_ = false;
  probe_out_ = false;
  recent_failures_.clear();
}

void DeploymentHealth::on_failure(Clock::time_point now) {
  observe_failure();
  std::lock_guard lock(mutex_);
  if (cooling_ && probe_out_) {  // the half-open probe failed: cool down again
    probe_out_ = false;
    cooldown_until_ = now + policy_.duration;
    return;
  }
  recent_failures_.push_back(now);
  while (!recent_failures_.empty() && now - recent_failures_.front() > policy_.window) recent_failures_.pop_front();
  if (policy_.failures > 0 && static_cast<int>(recent_failures_.size()) >= policy_.failures) {
    cooling_ = true;
    probe_out_ = false;
    cooldown_until_ = now + policy_.duration;
    recent_failures_.clear();
  }
}

}  // namespace switchyard::routing
