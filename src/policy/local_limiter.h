// The limiter of a gateway without Redis: every counter in this process, under one lock
// (a few hundred nanoseconds a request), exact for this process alone.
//
// Rate limits are GCRA (the generic cell rate algorithm): each scope keeps the time at
// which its window would be empty again (its "TAT"); a request fits when, its cost added,
// that time is at most one window (a minute) ahead. A full window can go at once, and then
// capacity returns continuously: a sliding window, with no 2× burst at a minute's boundary.
#pragma once

#include <map>
#include <mutex>
#include <unordered_map>

#include "policy/limiter.h"

namespace switchyard::policy {

class LocalLimiter final : public Limiter {
 public:
  boost::asio::awaitable<ReserveAnswer> reserve(const ReserveAsk& ask) override;
  void settle(const Reservation& reservation, std::int64_t tokens, Money cost) noexcept override;
  boost::asio::awaitable<Spend> spend(const std::string& scope, BudgetPeriod period, std::int64_t now_seconds) override;
  void seed_spend(const std::string& scope, std::int64_t period_start, Money spent) override;

  // The same as reserve(), without a coroutine: the decision itself (also for tests).
  ReserveAnswer reserve_now(const ReserveAsk& ask);
  // Requests holding parallel slots of `scope` now (tests check they all come back).
  std::int64_t in_flight(const std::string& scope);

 private:
  struct ScopeState {
    std::int64_t requests_tat_ns = 0;
    std::int64_t tokens_tat_ns = 0;
    std::int64_t in_flight = 0;
    Money reserved;                          // worst cases of the requests in flight
    std::map<std::int64_t, Money> spent;     // by budget period start
  };

  std::mutex mutex_;
  std::unordered_map<std::string, ScopeState> scopes_;
};

}  // namespace switchyard::policy
