#include "server/responses.h"

#include "dialects/openai/error.h"

namespace switchyard::server {

http::ClientResponse json_response(int status, std::string body) {
  http::ClientResponse response{static_cast<boost::beast::http::status>(status), 11};
  response.set(boost::beast::http::field::content_type, "application/json");
  response.body() = std::move(body);
  return response;
}

http::ClientResponse error_response(const GatewayError& error) {
  return json_response(error.status, openai::error_body(error));
}

}  // namespace switchyard::server
