#include "server/responses.h"

#include "dialects/codec.h"

namespace switchyard::server {

http::ClientResponse json_response(int status, std::string body) {
  http::ClientResponse response{status};
  response.set("Content-Type", "application/json");
  response.body = std::move(body);
  return response;
}

http::ClientResponse error_response(Dialect dialect, const GatewayError& error, std::string_view request_id) {
  return json_response(error.status, codec_for(dialect).error_body(error, request_id));
}

}  // namespace switchyard::server
