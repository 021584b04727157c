// The answers the gateway kept for Responses API clients: GET /v1/responses/{id}, its
// input_items, and DELETE. Only the principal that created a response can see or delete it.
#include <chrono>

#include "server/operations.h"
#include "server/responses.h"
#include "server/upstream_relay.h"

namespace switchyard::server {
namespace net = boost::asio;

namespace {

class StoredResponseOperation final : public OperationHandler {
 public:
  explicit StoredResponseOperation(RequestScope& scope) : scope_(scope) {}

  std::string_view name() const override { return "stored_response"; }
  providers::Operation upstream_operation() const override { return providers::Operation::generate; }
  Result<ParsedRequest> parse() override { return ParsedRequest{}; }
  bool answers_locally() override { return true; }

  net::awaitable<void> answer_locally() override {
    const ConversationCodec* conversation = scope_.client.conversation;
    const std::string& id = scope_.route.resource;
    std::string owner = owner_of(scope_.context.outcome.principal);
    std::optional<std::string> body;
    if (scope_.responses && conversation) {
      if (scope_.exchange.request.method() == "DELETE") {
        bool removed = co_await scope_.responses->remove(id, owner);
        if (removed) body = conversation->deleted_body(id);
      } else {
        std::optional<store::StoredResponse> stored = co_await scope_.responses->get(id, owner);
        if (stored && scope_.route.input_items) {
          body = conversation->input_items_body(KeptAnswer{stored->id, stored->body, stored->conversation});
        } else if (stored) {
          body = std::move(stored->body);
        }
      }
    }
    if (!body) {
      GatewayError missing = make_error(ErrorKind::not_found, "Response with id '" + id + "' not found.", "");
      co_await send_error(scope_.exchange, scope_.context, scope_.client, missing);
      co_return;
    }
    scope_.context.outcome.status = 200;
    co_await scope_.exchange.response.send(json_response(200, std::move(*body)));
  }

  // Never asked: a stored response is always answered here.
  Result<std::string> build_body(const routing::Candidate&, const DialectCodec&) override {
    return make_error(ErrorKind::internal, "a stored response goes to no upstream", "internal_error");
  }
  net::awaitable<AnswerOutcome> respond(const DialectCodec&, http::UpstreamResponse&, const FunctionRef<void()>&) override {
    co_return AnswerOutcome{make_error(ErrorKind::internal, "a stored response goes to no upstream", "internal_error")};
  }

 private:
  RequestScope& scope_;
};

}  // namespace

std::unique_ptr<OperationHandler> make_stored_response_operation(RequestScope& scope) {
  return std::make_unique<StoredResponseOperation>(scope);
}

}  // namespace switchyard::server
