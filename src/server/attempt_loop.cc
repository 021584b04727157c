#include "server/attempt_loop.h"

#include "server/upstream_relay.h"

namespace switchyard::server {
namespace net = boost::asio;
using Clock = std::chrono::steady_clock;

GatewayError unknown_model(const std::string& model) {
  return make_error(ErrorKind::not_found,
                    "The model '" + model + "' does not exist or is not configured on this gateway.", "model_not_found",
                    "model");
}

net::awaitable<void> run_attempts(const Runtime& runtime, http::Exchange& exchange, RequestContext& context,
                                  const DialectCodec& client, const AttemptSpec& spec) {
  std::vector<routing::Candidate> candidates = runtime.router.plan(spec.model);
  if (candidates.empty()) {
    co_await send_error(exchange, context, client, unknown_model(spec.model));
    co_return;
  }
  GatewayError last_error = make_error(ErrorKind::invalid_request,
                                       "no deployment of '" + spec.model + "' supports this operation",
                                       "unsupported_operation", "model");
  for (std::size_t i = 0; i < candidates.size(); ++i) {
    const routing::Candidate& candidate = candidates[i];
    const providers::Provider& provider = *candidate.provider;
    if (!provider.supports(spec.operation)) continue;
    const DialectCodec& upstream_codec = codec_for(provider.dialect());
    bool last_candidate = i + 1 == candidates.size();
    context.attempts += 1;
    context.provider = provider.name();
    context.upstream_model = candidate.model;

    UpstreamBody built = spec.build_body(candidate, upstream_codec);
    if (!built.body) {
      last_error = built.body.error();
      if (built.fatal) break;
      continue;
    }
    providers::ProviderCall call;
    call.operation = spec.operation;
    call.model = candidate.model;
    call.stream = spec.stream;
    call.body = std::move(built.body.value());
    call.timeouts = provider.timeouts().value_or(runtime.timeouts);

    Clock::time_point started = Clock::now();
    auto upstream = co_await provider.send(call, exchange.upstreams);
    if (!upstream) {
      context.upstream_time += Clock::now() - started;
      last_error = upstream.error();
      continue;
    }
    http::UpstreamResponse& response = *upstream.value();
    context.upstream_status = response.status();
    if (response.status() < 200 || response.status() >= 300) {
      if (is_retryable_status(response.status()) && !last_candidate) {
        context.upstream_time += Clock::now() - started;
        continue;
      }
      co_await relay_upstream_error(exchange, context, client, upstream_codec, response);
      context.upstream_time += Clock::now() - started;
      co_return;
    }
    co_await spec.answer(upstream_codec, response);
    context.upstream_time += Clock::now() - started;
    co_return;
  }
  co_await send_error(exchange, context, client, last_error);
}

}  // namespace switchyard::server
