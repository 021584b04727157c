// What the admit phase set aside for one request before it went upstream (a request in
// each rate window, tokens, a parallel slot, the worst case of its cost), kept with the
// request and handed back, trued up to what was really used, when it settles. Admission
// steps fill it and limit settlement (a sink) returns it: every field is plain data, so
// the outcome can carry it to that sink.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

#include "core/money.h"

namespace switchyard {

// One holder of limits a request counts against: its virtual key, or the key's team.
struct ReservedScope {
  std::string scope;             // "key:ID" or "team:ID"; empty: not used
  std::int64_t tpm = 0;          // the token limit the tokens were reserved under (0: none)
  bool parallel = false;         // holds one of the scope's parallel slots
  bool budget = false;           // `cost` is held against the scope's budget
  std::int64_t period_start = 0;  // the budget period it counts in (seconds since the epoch)
};

struct Reservation {
  ReservedScope key;
  ReservedScope team;
  std::int64_t tokens = 0;  // reserved against the token limits
  Money cost;               // reserved against the budgets: the request's worst case
  std::uint64_t lease = 0;  // the parallel slots' lease, where the limiter keeps leases

  // Nothing to give back: no limit applied to the request.
  bool empty() const { return key.scope.empty() && team.scope.empty(); }
};

}  // namespace switchyard
