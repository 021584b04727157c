// The settle phase's side of limits: a sink that hands each request's reservation back to
// the limiter, trued up to the tokens it used and what it cost (the ledger's own figure,
// so spend and the ledger agree exactly). Runs for every request, whatever its ending: a
// client gone mid-stream frees its parallel slot as its request settles.
#pragma once

#include "core/outcome.h"
#include "policy/limiter.h"

namespace switchyard::policy {

class LimitSettlement final : public OutcomeSink {
 public:
  explicit LimitSettlement(Limiter& limiter) : limiter_(limiter) {}
  void on_outcome(const Outcome& outcome) noexcept override {
    if (outcome.reservation.empty()) return;
    std::int64_t tokens = outcome.usage.input_tokens + outcome.usage.output_tokens;
    limiter_.settle(outcome.reservation, tokens, outcome.cost.value_or(Money{0}));
  }

 private:
  Limiter& limiter_;
};

}  // namespace switchyard::policy
