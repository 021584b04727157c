// Token counting (Anthropic /v1/messages/count_tokens, Gemini :countTokens): asked of the
// provider when its API can count, estimated locally when it cannot.
#include "core/token_estimate.h"
#include "core/json_top_members.h"
#include "server/operations.h"
#include "server/responses.h"
#include "server/upstream_relay.h"

namespace switchyard::server {
namespace net = boost::asio;

namespace {

class CountTokensOperation final : public OperationHandler {
 public:
  explicit CountTokensOperation(RequestScope& scope) : scope_(scope) {}

  std::string_view name() const override { return "count_tokens"; }
  providers::Operation upstream_operation() const override { return providers::Operation::count_tokens; }

  Result<ParsedRequest> parse() override {
    const CountTokensCodec* codec = scope_.client.count_tokens;
    if (!codec) return make_error(ErrorKind::not_found, "this API has no token counting", "unknown_url");
    // Routing reads one `model`, so the body may name only one.
    if (json_events::repeats_top_member(scope_.exchange.request.body, "model")) {
      return make_error(ErrorKind::invalid_request, "the body names 'model' more than once", "duplicate_member", "model");
    }
    auto request = codec->decode_request(scope_.exchange.request.body, scope_.route.model);
    if (!request) return request.take_error();
    request_ = std::move(request.value());
    return ParsedRequest{request_.model, false, {}, std::nullopt, {}};
  }

  // A first deployment without a counting API (OpenAI-compatible) is answered by estimate.
  bool answers_locally() override {
    routing::Plan plan = scope_.runtime->router.plan(request_.model);
    const providers::Provider* first = plan.candidates.empty() ? nullptr : plan.candidates.front().provider;
    if (!plan.known || !first) return false;  // the attempt loop answers these
    if (first->supports(providers::Operation::count_tokens) && codec_for(first->dialect()).count_tokens) return false;
    scope_.context.outcome.provider = first->name();
    scope_.context.outcome.upstream_model = plan.candidates.front().model;
    return true;
  }

  net::awaitable<void> answer_locally() override { co_await answer_with(estimate_input_tokens(request_)); }

  Result<std::string> build_body(const routing::Candidate& candidate, const DialectCodec& upstream) override {
    if (!upstream.count_tokens) return candidate_lacks(candidate, "cannot count tokens", "unsupported_operation");
    // Counting ignores sampling settings.
    return candidate_encoding(
        upstream.count_tokens->encode_request(request_, encode_options(candidate, canonical::UnsupportedParams::drop)));
  }

  net::awaitable<AnswerOutcome> respond(const DialectCodec& upstream, http::UpstreamResponse& response,
                                        const FunctionRef<void()>& commit) override {
    auto body = co_await response.read_all(1024 * 1024);
    auto counted = body ? upstream.count_tokens->decode_response(body.value()) : Result<std::int64_t>(body.error());
    if (!counted) co_return AnswerOutcome{counted.error()};
    commit();
    co_await answer_with(counted.value());
    co_return AnswerOutcome{};
  }

 private:
  // The count is the answer, not usage: counting is free, so the request used no tokens.
  net::awaitable<void> answer_with(std::int64_t tokens) {
    scope_.context.outcome.status = 200;
    // In a statement of its own: g++ 12 miscompiles a co_await whose argument is a class
    // temporary inside a condition.
    bool sent = co_await scope_.exchange.response.send(json_response(200, scope_.client.count_tokens->encode_response(tokens)));
    if (!sent) scope_.context.client_closed();
  }

  RequestScope& scope_;
  canonical::Request request_;
};

}  // namespace

std::unique_ptr<OperationHandler> make_count_tokens_operation(RequestScope& scope) {
  return std::make_unique<CountTokensOperation>(scope);
}

}  // namespace switchyard::server
