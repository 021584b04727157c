#include "server/count_pipeline.h"

#include "core/token_estimate.h"
#include "server/responses.h"
#include "server/upstream_relay.h"

namespace switchyard::server {
namespace net = boost::asio;
using Clock = std::chrono::steady_clock;

net::awaitable<void> run_count_tokens(const Runtime& runtime, http::Exchange& exchange, RequestContext& context,
                                      const RouteMatch& route) {
  const DialectCodec& client = codec_for(route.dialect);
  context.dialect = std::string(dialect_name(route.dialect));
  auto request = client.decode_count_request(exchange.request.body(), route.model);
  if (!request) {
    co_await send_error(exchange, context, client, request.error());
    co_return;
  }
  context.model = request->model;
  std::vector<routing::Candidate> candidates = runtime.router.plan(request->model);
  if (candidates.empty()) {
    co_await send_error(exchange, context, client,
                        make_error(ErrorKind::not_found,
                                   "The model '" + request->model + "' does not exist or is not configured on this gateway.",
                                   "model_not_found", "model"));
    co_return;
  }
  GatewayError last_error = make_error(ErrorKind::unavailable, "no deployment could count the tokens", "no_deployment");
  for (std::size_t i = 0; i < candidates.size(); ++i) {
    const routing::Candidate& candidate = candidates[i];
    const providers::Provider& provider = *candidate.provider;
    const DialectCodec& upstream_codec = codec_for(provider.dialect());
    bool last_candidate = i + 1 == candidates.size();
    context.attempts += 1;
    context.provider = provider.name();
    context.upstream_model = candidate.model;

    std::int64_t tokens = 0;
    if (!provider.supports(providers::Operation::count_tokens) || !upstream_codec.encode_count_request) {
      tokens = estimate_input_tokens(request.value());
    } else {
      canonical::EncodeOptions options;
      options.upstream_model = candidate.model;
      options.provider = provider.name();
      options.unsupported = canonical::UnsupportedParams::drop;  // counting ignores sampling
      auto body = upstream_codec.encode_count_request(request.value(), options);
      if (!body) {
        co_await send_error(exchange, context, client, body.error());
        co_return;
      }
      providers::ProviderCall call;
      call.operation = providers::Operation::count_tokens;
      call.model = candidate.model;
      call.body = std::move(body.value());
      call.timeouts = provider.timeouts().value_or(runtime.timeouts);
      Clock::time_point started = Clock::now();
      auto upstream = co_await provider.send(call, exchange.upstreams);
      if (!upstream) {
        context.upstream_time += Clock::now() - started;
        last_error = upstream.error();
        if (!last_candidate) continue;
        break;
      }
      http::UpstreamResponse& response = *upstream.value();
      context.upstream_status = response.status();
      if (response.status() < 200 || response.status() >= 300) {
        if (is_retryable_status(response.status()) && !last_candidate) continue;
        co_await relay_upstream_error(exchange, context, client, upstream_codec, response);
        co_return;
      }
      auto answer = co_await response.read_all(1024 * 1024);
      context.upstream_time += Clock::now() - started;
      auto counted = answer ? upstream_codec.decode_count_response(answer.value()) : Result<std::int64_t>(answer.error());
      if (!counted) {
        co_await send_error(exchange, context, client, counted.error());
        co_return;
      }
      tokens = counted.value();
    }
    context.usage.input_tokens = tokens;
    context.status = 200;
    co_await exchange.response.send(json_response(200, client.encode_count_response(tokens)));
    co_return;
  }
  co_await send_error(exchange, context, client, last_error);
}

}  // namespace switchyard::server
