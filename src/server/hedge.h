// Hedged requests: when the first attempt has produced no first token after `hedge_after`,
// the plan's next candidate is started in parallel; whichever produces a first token first
// wins, and the other is cancelled at once, whatever it is doing (connecting, waiting for
// its headers, reading its preamble): its connection is closed, so the provider stops
// generating an answer nobody will read. This trims the slow tail of time to first token
// at the price of some duplicate upstream work on the slow requests only.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/function_ref.h"
#include "http/upstream.h"
#include "providers/provider.h"
#include "routing/attempt_plan.h"
#include "server/first_token.h"

namespace switchyard::server {

// An attempt ready to go out: admitted by the plan, its call built.
struct Contender {
  routing::Attempt attempt;
  providers::ProviderCall call;
};

// An attempt that got as far as its first token (or failed trying).
struct Contested {
  routing::Attempt attempt;
  FirstToken first;
};

// A racer that did not win, for the attempt log and the plan's books.
struct Loser {
  std::string label;  // the deployment's, for the attempt log
  // A loser that finished, for its verdict. A cancelled one keeps its attempt (and its
  // place in the deployment's in-flight count) until its connection is closed.
  std::optional<routing::Attempt> finished;
  bool produced_token = false;  // finished with a first token, just later than the winner
  std::string outcome;          // "503", an error code; empty when cancelled
  Fault fault = Fault::deployment;  // a finished loser without a token: what its failure says
};

struct RaceResult {
  // The first racer with a first token; when none produced one, the primary.
  std::optional<Contested> winner;
  std::vector<Loser> losers;
  bool cancelled = false;  // the caller's coroutine was cancelled (the client left)
};

// Runs `primary` (moved from) and, once `hedge_after` passed without its first token, the
// contender `backup()` returns (none: no hedge). `interrupt` is the request's: when it is
// interrupted (the client left) every racer is, and the race ends without a winner; the
// winner's response is hooked to it for the rest of its reading. `keep_alive` owns what the
// racers use (the runtime with their providers and health): a loser may take a moment to
// unwind after this returns. Class-type arguments are taken by reference: g++ 12 can
// destroy a coroutine's by-value class parameter twice.
boost::asio::awaitable<RaceResult> race_first_token(Contender& primary,
                                                   const FunctionRef<std::optional<Contender>()>& backup,
                                                   Millis hedge_after, http::UpstreamPool& pool,
                                                   http::Interrupt& interrupt,
                                                   const std::shared_ptr<const void>& keep_alive);

}  // namespace switchyard::server
