#include "server/embed_pipeline.h"

#include "server/attempt_loop.h"
#include "server/responses.h"
#include "server/upstream_relay.h"

namespace switchyard::server {
namespace net = boost::asio;

net::awaitable<void> run_embed(const Runtime& runtime, http::Exchange& exchange, RequestContext& context,
                               const RouteMatch& route) {
  const DialectCodec& client = codec_for(route.dialect);
  context.dialect = std::string(dialect_name(route.dialect));
  bool single = std::string_view(exchange.request.target()).find(":embedContent") != std::string_view::npos;
  auto request = client.decode_embedding_request(exchange.request.body, route.model, single);
  if (!request) {
    co_await send_error(exchange, context, client, request.error());
    co_return;
  }
  context.model = request->model;

  AttemptSpec spec;
  spec.operation = providers::Operation::embed;
  spec.model = request->model;
  auto build_body = [&](const routing::Candidate& candidate, const DialectCodec& upstream) -> UpstreamBody {
    if (!upstream.encode_embedding_request) {
      return {make_error(ErrorKind::invalid_request, "provider '" + candidate.provider->name() + "' has no embeddings API",
                         "embeddings_unsupported", "model")};
    }
    canonical::EncodeOptions options;
    options.upstream_model = candidate.model;
    options.provider = candidate.provider->name();
    options.unsupported = candidate.unsupported_params;
    return {upstream.encode_embedding_request(request.value(), options)};
  };
  auto answer = [&](const DialectCodec& upstream, http::UpstreamResponse& response) -> net::awaitable<AnswerOutcome> {
    auto answer = co_await response.read_all(runtime.max_response_size);
    auto decoded = answer ? upstream.decode_embedding_response(answer.value())
                          : Result<canonical::EmbeddingResponse>(answer.error());
    if (!decoded) co_return AnswerOutcome{decoded.error()};
    context.usage = decoded->usage;
    http::ClientResponse reply = json_response(200, client.encode_embedding_response(decoded.value(), request.value()));
    copy_relayed_headers(response, reply);
    context.status = 200;
    co_await exchange.response.send(std::move(reply));
    co_return AnswerOutcome{};
  };
  spec.build_body = build_body;
  spec.answer = answer;
  co_await run_attempts(runtime, exchange, context, client, spec);
}

}  // namespace switchyard::server
