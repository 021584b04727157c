// The admission steps of virtual keys: which models a key (and its team) may use, and its
// limits — requests, tokens and parallel requests per key and team, and budgets — reserved
// through the limiter. Both leave the master key (and anonymous callers) alone.
#pragma once

#include <array>
#include <atomic>

#include "policy/admission.h"
#include "policy/key_directory.h"
#include "policy/limiter.h"

namespace switchyard::policy {

// Refusals by reason, for the metrics.
struct AccessCounters {
  std::atomic<std::uint64_t> unknown_key{0};
  std::atomic<std::uint64_t> model_not_allowed{0};
  std::array<std::atomic<std::uint64_t>, 6> limited{};  // by Denial
  std::atomic<std::uint64_t> unpriced_for_budget{0};
};

// A step about virtual keys: the master key and anonymous callers pass it untouched.
class VirtualKeyStep : public AdmissionStep {
 public:
  bool applies_to(const Principal& principal) const final { return principal.kind == Principal::Kind::virtual_key; }
};

class ModelAccessStep final : public VirtualKeyStep {
 public:
  ModelAccessStep(const KeyDirectory& keys, AccessCounters& counters) : keys_(keys), counters_(counters) {}
  boost::asio::awaitable<std::optional<GatewayError>> admit(const AdmissionRequest& request,
                                                            AdmissionResult& result) const override;

 private:
  const KeyDirectory& keys_;
  AccessCounters& counters_;
};

struct LimitSettings {
  // The output cap reserved for a request that states none (its tokens and worst-case cost).
  std::int64_t default_max_tokens = 4096;
};

class LimitStep final : public VirtualKeyStep {
 public:
  LimitStep(const KeyDirectory& keys, Limiter& limiter, AccessCounters& counters, LimitSettings settings)
      : keys_(keys), limiter_(limiter), counters_(counters), settings_(settings) {}
  boost::asio::awaitable<std::optional<GatewayError>> admit(const AdmissionRequest& request,
                                                            AdmissionResult& result) const override;

 private:
  const KeyDirectory& keys_;
  Limiter& limiter_;
  AccessCounters& counters_;
  LimitSettings settings_;
};

}  // namespace switchyard::policy
