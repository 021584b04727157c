#include "server/embed_pipeline.h"

#include "server/responses.h"
#include "server/upstream_relay.h"

namespace switchyard::server {
namespace net = boost::asio;
namespace bhttp = boost::beast::http;
using Clock = std::chrono::steady_clock;

net::awaitable<void> run_embed(const Runtime& runtime, http::Exchange& exchange, RequestContext& context,
                               const RouteMatch& route) {
  const DialectCodec& client = codec_for(route.dialect);
  context.dialect = std::string(dialect_name(route.dialect));
  bool single = std::string_view(exchange.request.target()).find(":embedContent") != std::string_view::npos;
  auto request = client.decode_embedding_request(exchange.request.body(), route.model, single);
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
  GatewayError last_error = make_error(ErrorKind::invalid_request,
                                       "no deployment of '" + request->model + "' offers an embeddings API",
                                       "embeddings_unsupported", "model");
  for (std::size_t i = 0; i < candidates.size(); ++i) {
    const routing::Candidate& candidate = candidates[i];
    const providers::Provider& provider = *candidate.provider;
    const DialectCodec& upstream_codec = codec_for(provider.dialect());
    bool last_candidate = i + 1 == candidates.size();
    if (!provider.supports(providers::Operation::embed) || !upstream_codec.encode_embedding_request) continue;
    context.attempts += 1;
    context.provider = provider.name();
    context.upstream_model = candidate.model;

    canonical::EncodeOptions options;
    options.upstream_model = candidate.model;
    options.provider = provider.name();
    options.unsupported = candidate.unsupported_params;
    auto body = upstream_codec.encode_embedding_request(request.value(), options);
    if (!body) {
      last_error = body.error();
      continue;
    }
    providers::ProviderCall call;
    call.operation = providers::Operation::embed;
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
    auto answer = co_await response.read_all(runtime.max_response_size);
    context.upstream_time += Clock::now() - started;
    if (!answer) {
      co_await send_error(exchange, context, client, answer.error());
      co_return;
    }
    auto decoded = upstream_codec.decode_embedding_response(answer.value());
    if (!decoded) {
      co_await send_error(exchange, context, client, decoded.error());
      co_return;
    }
    context.usage = decoded->usage;
    http::ClientResponse reply = json_response(200, client.encode_embedding_response(decoded.value(), request.value()));
    copy_relayed_headers(response, reply);
    context.status = 200;
    co_await exchange.response.send(std::move(reply));
    co_return;
  }
  co_await send_error(exchange, context, client, last_error);
}

}  // namespace switchyard::server
