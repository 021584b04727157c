// Where the counters behind rate limits, parallel slots and budgets live: in this process
// (LocalLimiter, exact for one process) or in Redis, shared by every replica. One interface,
// so admission and settlement do not know which.
//
// reserve() is all or nothing across the scopes it is given (a key and its team): either
// everything asked for is taken in each, or nothing is and the answer says why and when to
// come back. settle() gives a reservation back, trued up to what the request really used;
// it never blocks (a remote limiter queues it).
#pragma once

#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/rate_limit_status.h"
#include "core/reservation.h"
#include "policy/limits.h"

namespace switchyard::policy {

struct ScopeAsk {
  std::string scope;  // "key:ID" or "team:ID"
  Limits limits;
};

struct ReserveAsk {
  std::vector<ScopeAsk> scopes;  // the key's, then its team's (if it has limits)
  std::int64_t tokens = 0;       // the request's estimate: input plus the output cap
  Money cost;                    // its worst-case cost (for budgets)
  std::int64_t now_us = 0;       // wall clock, microseconds since the epoch
};

enum class Denial { none, requests, tokens, parallel, budget, unavailable };
std::string_view denial_name(Denial denial);

struct ReserveAnswer {
  Denial denial = Denial::none;
  std::string scope;                         // the scope that refused
  std::chrono::milliseconds retry_after{0};  // when the refusal would lift (rate limits)
  std::optional<std::int64_t> budget_resets_at;  // seconds since the epoch (budgets; none: total)
  RateLimitStatus status;                    // the tightest request and token windows, this request counted
  Reservation reservation;                   // what was taken (when admitted)
};

// What a scope has spent in its current budget period, for the admin API.
struct Spend {
  Money spent;
  Money reserved;  // held by requests in flight
};

class Limiter {
 public:
  virtual ~Limiter() = default;
  // Arguments by reference (the caller keeps them until the call completes): g++ 12 may
  // destroy a coroutine's by-value class parameter twice.
  virtual boost::asio::awaitable<ReserveAnswer> reserve(const ReserveAsk& ask) = 0;
  // Gives `reservation` back: `tokens` and `cost` are what the request used (cost 0 when
  // unknown). Exactly once per admitted request.
  virtual void settle(const Reservation& reservation, std::int64_t tokens, Money cost) noexcept = 0;
  virtual boost::asio::awaitable<Spend> spend(const std::string& scope, BudgetPeriod period, std::int64_t now_seconds) = 0;
  // Spend recorded before this process started (from the ledger), for a scope's period.
  virtual void seed_spend(const std::string& scope, std::int64_t period_start, Money spent) = 0;
};

}  // namespace switchyard::policy
