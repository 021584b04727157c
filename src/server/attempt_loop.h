// The attempt loop every operation shares. It plans the model's candidates (the alias's
// deployments in strategy order, then its fallbacks, minus those cooling down), then for
// each: admit it past its circuit breaker, build the upstream body, send it, and either
// answer the client or move on. A failure before anything reached the client (connect
// error, timeout, 408/429/5xx/529, a request the dialect cannot express, no first token in
// time) gives way to the next candidate; when the list is exhausted and the alias's
// max_attempts allows, the list is tried again after an exponential backoff with jitter,
// honouring the upstream's retry-after. The last failure is returned to the client.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <optional>
#include <string>

#include "core/function_ref.h"
#include "dialects/codec.h"
#include "http/server.h"
#include "providers/provider.h"
#include "routing/router.h"
#include "server/request_context.h"
#include "server/runtime.h"

namespace switchyard::server {

struct UpstreamBody {
  Result<std::string> body;
  bool fatal = false;  // the client's request itself is bad: stop, do not try other candidates
};

// What answering from a 2xx upstream response came to.
struct AnswerOutcome {
  // Set when the answer failed before the first byte reached the client (e.g. no first
  // token in time): the loop may still try another candidate.
  std::optional<GatewayError> before_commit;
};

struct AttemptSpec {
  providers::Operation operation = providers::Operation::generate;
  std::string model;  // as the client named it
  std::vector<std::string> extra_models;  // per-request fallbacks (OpenRouter's `models`)
  bool stream = false;
  // Both refer to callables of the caller, which outlive run_attempts.
  FunctionRef<UpstreamBody(const routing::Candidate& candidate, const DialectCodec& upstream)> build_body;
  // Answers the client from a 2xx upstream response; the first byte sent is the commit point.
  FunctionRef<boost::asio::awaitable<AnswerOutcome>(const DialectCodec& upstream, http::UpstreamResponse& response)>
      answer;
};

boost::asio::awaitable<void> run_attempts(const Runtime& runtime, http::Exchange& exchange, RequestContext& context,
                                          const DialectCodec& client, const AttemptSpec& spec);

// The 404 for a model name no alias or provider answers to, in the client's dialect.
GatewayError unknown_model(const std::string& model);

// The delay before retry round `round` (1 = the first retry): exponential from
// `initial`, capped at `max`, with full jitter so clients that failed together do not
// come back together.
Millis backoff_delay(int round, Millis initial, Millis max, double jitter01);

}  // namespace switchyard::server
