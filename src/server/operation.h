// What differs between the operations the pipeline serves (generation, embeddings, token
// counting, model lists): how to parse the request, how to build the upstream body for a
// deployment, and how to answer from its response. Everything else (routing,
// authentication, admission, the attempts, settling) is the pipeline's (pipeline.h).
#pragma once

#include <boost/asio/awaitable.hpp>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/function_ref.h"
#include "core/result.h"
#include "dialects/codec.h"
#include "dialects/routes.h"
#include "http/server.h"
#include "http/upstream.h"
#include "providers/provider.h"
#include "routing/router.h"
#include "server/request_context.h"
#include "server/runtime.h"
#include "store/response_store.h"

namespace switchyard::policy {
struct AccessControl;
}

namespace switchyard::server {

// One request's place in the pipeline: its exchange, its record, the snapshot it started
// on and the client's dialect.
struct RequestScope {
  http::Exchange& exchange;
  RequestContext& context;
  std::shared_ptr<const Runtime> runtime;
  RouteMatch route;
  const DialectCodec& client;
  store::ResponseStore* responses = nullptr;  // kept Responses API answers; null: none
  const policy::AccessControl* access = nullptr;  // virtual keys; null: none
};

// What parse makes of a request: what admission and routing need.
struct ParsedRequest {
  std::string model;
  bool stream = false;
  std::vector<std::string> fallback_models;  // per request, tried after the model's own plan
  std::optional<std::int64_t> max_output_tokens;
  std::string user;  // the client's tag for its end user, when the request carries one
};

// What answering from a 2xx upstream response came to.
struct AnswerOutcome {
  // Set when the answer failed before the first byte reached the client (e.g. an upstream
  // body that does not decode): the attempt loop may still try another deployment.
  std::optional<GatewayError> before_commit;
};

// Helpers for build_body. The options to encode for `candidate`, with its policy for
// parameters its API lacks (or `unsupported`, when given).
canonical::EncodeOptions encode_options(const routing::Candidate& candidate,
                                        std::optional<canonical::UnsupportedParams> unsupported = std::nullopt);
// What `candidate`'s dialect could not encode is the candidate's failure, not the request's:
// another deployment may take the request.
Result<std::string> candidate_encoding(Result<std::string> encoded);
// The failure of a candidate whose provider lacks what the operation needs.
GatewayError candidate_lacks(const routing::Candidate& candidate, std::string_view what, std::string code);

class OperationHandler {
 public:
  virtual ~OperationHandler() = default;

  virtual std::string_view name() const = 0;  // for the outcome record: "generate", ...
  virtual providers::Operation upstream_operation() const = 0;

  // Parse: the body in the client's dialect; an error is the client's 4xx.
  virtual Result<ParsedRequest> parse() = 0;

  // Whether the request refers to state the gateway keeps (a Responses API conversation),
  // which load_state() then resolves before any attempt; an error refuses the request. Only
  // such requests pay for that step.
  virtual bool needs_state() const { return false; }
  virtual boost::asio::awaitable<std::optional<GatewayError>> load_state();
  // The provider whose account holds the state the request continues (an upstream's stored
  // response): only its deployments can answer it. Empty: any.
  virtual std::string_view pinned_provider() const { return {}; }

  // Whether it answers without an upstream (a model list; a token count the first
  // deployment cannot make); answer_locally() then does.
  virtual bool answers_locally() { return false; }
  virtual boost::asio::awaitable<void> answer_locally();

  // The upstream body for `candidate` in its dialect. An error whose fault is
  // Fault::request ends the request (the client's own request is bad); any other passes
  // to the next candidate.
  virtual Result<std::string> build_body(const routing::Candidate& candidate, const DialectCodec& upstream) = 0;

  // Answers the client from a 2xx upstream response; the first byte sent is the commit
  // point, and `commit()` is called just before it (the attempt's verdict is given there,
  // before the client holds the answer).
  virtual boost::asio::awaitable<AnswerOutcome> respond(const DialectCodec& upstream, http::UpstreamResponse& response,
                                                        const FunctionRef<void()>& commit) = 0;
};

}  // namespace switchyard::server
