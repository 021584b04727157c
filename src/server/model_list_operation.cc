// Model lists (GET /v1/models, /v1beta/models): the configured aliases, in the shape of
// the dialect whose SDK asked.
#include "policy/access_control.h"
#include "server/operations.h"
#include "server/responses.h"

namespace switchyard::server {
namespace net = boost::asio;

namespace {

class ModelListOperation final : public OperationHandler {
 public:
  explicit ModelListOperation(RequestScope& scope) : scope_(scope) {}

  std::string_view name() const override { return "list_models"; }
  providers::Operation upstream_operation() const override { return providers::Operation::generate; }

  Result<ParsedRequest> parse() override { return ParsedRequest{}; }

  bool answers_locally() override { return true; }

  net::awaitable<void> answer_locally() override {
    std::vector<ModelListEntry> models;
    // A virtual key sees only the aliases it (and its team) may use.
    auto allowed = [this](std::string_view alias) {
      const Principal& principal = scope_.context.outcome.principal;
      if (principal.kind != Principal::Kind::virtual_key || !scope_.access) return true;
      std::shared_ptr<const policy::KeyTable> table = scope_.access->keys.table();
      auto key = table->keys.find(principal.key_id);
      if (key == table->keys.end()) return false;
      if (!policy::allows_model(key->second->key.models, alias)) return false;
      auto team = table->teams.find(key->second->key.team_id);
      return team == table->teams.end() || policy::allows_model(team->second->models, alias);
    };
    for (const auto& alias : scope_.runtime->router.aliases()) {
      if (allowed(alias.name)) models.push_back({alias.name, "switchyard"});
    }
    const DialectCodec& codec =
        model_list_codec(scope_.route.dialect, scope_.route.shared_path, scope_.exchange.request);
    scope_.context.outcome.status = 200;
    co_await scope_.exchange.response.send(json_response(200, codec.model_list.body(models)));
  }

  // Never asked: a model list is always answered locally.
  Result<std::string> build_body(const routing::Candidate&, const DialectCodec&) override {
    return make_error(ErrorKind::internal, "a model list goes to no upstream", "internal_error");
  }
  net::awaitable<AnswerOutcome> respond(const DialectCodec&, http::UpstreamResponse&, const FunctionRef<void()>&) override {
    co_return AnswerOutcome{make_error(ErrorKind::internal, "a model list goes to no upstream", "internal_error")};
  }

 private:
  RequestScope& scope_;
};

}  // namespace

std::unique_ptr<OperationHandler> make_model_list_operation(RequestScope& scope) {
  return std::make_unique<ModelListOperation>(scope);
}

}  // namespace switchyard::server
