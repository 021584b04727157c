// The attempt loop every operation shares: plan the model's candidates, then for each one
// build the upstream body, send it, and either answer the client or move on. A candidate
// that fails before anything reached the client (connect error, timeout, 408/429/5xx, a
// request its dialect cannot express) gives way to the next; the last failure is returned.
// Retries with backoff, cooldowns and hedging belong here, so every operation gets them.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <functional>
#include <string>

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

struct AttemptSpec {
  providers::Operation operation = providers::Operation::generate;
  std::string model;  // as the client named it
  bool stream = false;
  std::function<UpstreamBody(const routing::Candidate& candidate, const DialectCodec& upstream)> build_body;
  // Answers the client from a 2xx upstream response; this is the commit point.
  std::function<boost::asio::awaitable<void>(const DialectCodec& upstream, http::UpstreamResponse& response)> answer;
};

boost::asio::awaitable<void> run_attempts(const Runtime& runtime, http::Exchange& exchange, RequestContext& context,
                                          const DialectCodec& client, const AttemptSpec& spec);

// The 404 for a model name no alias or provider answers to, in the client's dialect.
GatewayError unknown_model(const std::string& model);

}  // namespace switchyard::server
