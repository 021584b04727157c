// What the admit phase set aside for one request before it went upstream (rate-limit
// slots, tokens, budget), kept with the request and handed back, trued up to what was
// really used, when it settles. Admission steps fill it and limit settlement (a sink)
// returns it: every field is plain data, so the outcome can carry it to that sink.
#pragma once

#include <cstdint>

namespace switchyard {

struct Reservation {
  // Nothing is reserved yet: virtual keys, rate limits and budgets fill this in. A request
  // admitted with an empty reservation has nothing to give back.
  bool empty() const { return true; }
};

}  // namespace switchyard
