#include "server/count_pipeline.h"

#include "core/token_estimate.h"
#include "server/attempt_loop.h"
#include "server/responses.h"
#include "server/upstream_relay.h"

namespace switchyard::server {
namespace net = boost::asio;

net::awaitable<void> run_count_tokens(const Runtime& runtime, http::Exchange& exchange, RequestContext& context,
                                      const RouteMatch& route) {
  const DialectCodec& client = codec_for(route.dialect);
  context.dialect = std::string(dialect_name(route.dialect));
  auto request = client.decode_count_request(exchange.request.body, route.model);
  if (!request) {
    co_await send_error(exchange, context, client, request.error());
    co_return;
  }
  context.model = request->model;
  auto answer_with = [&](std::int64_t tokens) -> net::awaitable<void> {
    context.usage.input_tokens = tokens;
    context.status = 200;
    co_await exchange.response.send(json_response(200, client.encode_count_response(tokens)));
  };

  // A first deployment without a counting API (OpenAI-compatible) is answered by estimate.
  routing::Plan plan = runtime.router.plan(request->model);
  if (!plan.known) {
    co_await send_error(exchange, context, client, unknown_model(request->model));
    co_return;
  }
  const providers::Provider* first = plan.candidates.empty() ? nullptr : plan.candidates.front().provider;
  if (first && (!first->supports(providers::Operation::count_tokens) || !codec_for(first->dialect()).encode_count_request)) {
    context.provider = first->name();
    context.upstream_model = plan.candidates.front().model;
    co_await answer_with(estimate_input_tokens(request.value()));
    co_return;
  }

  AttemptSpec spec;
  spec.operation = providers::Operation::count_tokens;
  spec.model = request->model;
  auto build_body = [&](const routing::Candidate& candidate, const DialectCodec& upstream) -> UpstreamBody {
    canonical::EncodeOptions options;
    options.upstream_model = candidate.model;
    options.provider = candidate.provider->name();
    options.unsupported = canonical::UnsupportedParams::drop;  // counting ignores sampling settings
    return {upstream.encode_count_request(request.value(), options)};
  };
  auto answer = [&](const DialectCodec& upstream, http::UpstreamResponse& response) -> net::awaitable<AnswerOutcome> {
    auto body = co_await response.read_all(1024 * 1024);
    auto counted = body ? upstream.decode_count_response(body.value()) : Result<std::int64_t>(body.error());
    if (!counted) co_return AnswerOutcome{counted.error()};
    co_await answer_with(counted.value());
    co_return AnswerOutcome{};
  };
  spec.build_body = build_body;
  spec.answer = answer;
  co_await run_attempts(runtime, exchange, context, client, spec);
}

}  // namespace switchyard::server
