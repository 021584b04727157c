// Embeddings (OpenAI /v1/embeddings, Gemini :embedContent and :batchEmbedContents) against
// any provider with an embeddings API, always through the canonical embedding model.
#include "core/json_top_members.h"
#include "server/operations.h"
#include "server/responses.h"
#include "server/upstream_relay.h"

namespace switchyard::server {
namespace net = boost::asio;

namespace {

class EmbedOperation final : public OperationHandler {
 public:
  explicit EmbedOperation(RequestScope& scope) : scope_(scope) {}

  std::string_view name() const override { return "embed"; }
  providers::Operation upstream_operation() const override { return providers::Operation::embed; }

  Result<ParsedRequest> parse() override {
    const EmbeddingsCodec* codec = scope_.client.embeddings;
    if (!codec) return make_error(ErrorKind::not_found, "this API has no embeddings", "unknown_url");
    // Routing reads one `model`, so the body may name only one.
    if (json_events::repeats_top_member(scope_.exchange.request.body, "model")) {
      return make_error(ErrorKind::invalid_request, "the body names 'model' more than once", "duplicate_member", "model");
    }
    auto request = codec->decode_request(scope_.exchange.request.body, scope_.route.model, scope_.route.single_input);
    if (!request) return request.take_error();
    request_ = std::move(request.value());
    return ParsedRequest{request_.model, false, {}, std::nullopt, {}};
  }

  Result<std::string> build_body(const routing::Candidate& candidate, const DialectCodec& upstream) override {
    if (!upstream.embeddings) return candidate_lacks(candidate, "has no embeddings API", "embeddings_unsupported");
    return candidate_encoding(upstream.embeddings->encode_request(request_, encode_options(candidate)));
  }

  net::awaitable<AnswerOutcome> respond(const DialectCodec& upstream, http::UpstreamResponse& response,
                                        const FunctionRef<void()>& commit) override {
    auto answer = co_await response.read_all(scope_.runtime->max_response_size);
    auto decoded = answer ? upstream.embeddings->decode_response(answer.value())
                          : Result<canonical::EmbeddingResponse>(answer.error());
    if (!decoded) co_return AnswerOutcome{decoded.error()};
    scope_.context.outcome.usage = decoded->usage;
    http::ClientResponse reply =
        json_response(200, scope_.client.embeddings->encode_response(decoded.value(), request_));
    copy_relayed_headers(response, reply, scope_.context);
    scope_.context.outcome.status = 200;
    // In a statement of its own: g++ 12 miscompiles a co_await whose argument is a class
    // temporary inside a condition.
    commit();
    bool sent = co_await scope_.exchange.response.send(std::move(reply));
    if (!sent) scope_.context.client_closed();
    co_return AnswerOutcome{};
  }

 private:
  RequestScope& scope_;
  canonical::EmbeddingRequest request_;
};

}  // namespace

std::unique_ptr<OperationHandler> make_embed_operation(RequestScope& scope) { return std::make_unique<EmbedOperation>(scope); }

}  // namespace switchyard::server
