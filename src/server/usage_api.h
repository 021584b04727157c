// The usage API: the ledger as the operator reads it (master key only).
//
//   GET /admin/usage?from=&to=&group_by=model|provider|key|team|day|hour[&format=csv]
//       {"data": [{<group>, requests, errors, the five token counts, cost_usd,
//                  unpriced_requests, latency_p50_ms, latency_p95_ms}, ...]}
//   GET /admin/requests?limit=&before=&model=&key=&status=&from=&to=[&format=csv]
//       {"data": [rows, newest first], "next": cursor or null}
//
// `from` and `to` are RFC 3339 times (or dates); the range is [from, to), by default the
// last 24 hours.
#pragma once

#include <boost/asio/awaitable.hpp>

#include "server/operation.h"
#include "server/pipeline.h"

namespace switchyard::server {

boost::asio::awaitable<void> serve_usage(RequestScope& scope, ledger::Ledger& ledger);
boost::asio::awaitable<void> serve_requests(RequestScope& scope, ledger::Ledger& ledger);

}  // namespace switchyard::server
