#include "server/operation.h"

namespace switchyard::server {

canonical::EncodeOptions encode_options(const routing::Candidate& candidate,
                                        std::optional<canonical::UnsupportedParams> unsupported) {
  canonical::EncodeOptions options;
  options.upstream_model = candidate.model;
  options.provider = candidate.provider->name();
  options.unsupported = unsupported.value_or(candidate.unsupported_params);
  return options;
}

Result<std::string> candidate_encoding(Result<std::string> encoded) {
  if (encoded) return encoded;
  GatewayError error = encoded.take_error();
  error.fault = Fault::candidate;
  return error;
}

GatewayError candidate_lacks(const routing::Candidate& candidate, std::string_view what, std::string code) {
  GatewayError error = make_error(ErrorKind::invalid_request,
                                  "provider '" + candidate.provider->name() + "' " + std::string(what), std::move(code),
                                  "model");
  error.fault = Fault::candidate;
  return error;
}

boost::asio::awaitable<void> OperationHandler::answer_locally() { co_return; }

boost::asio::awaitable<std::optional<GatewayError>> OperationHandler::load_state() { co_return std::nullopt; }

}  // namespace switchyard::server
