// Small builders for the gateway's own (non-relayed) responses.
#pragma once

#include <string>

#include "core/error.h"
#include "dialects/dialect.h"
#include "http/server.h"

namespace switchyard::server {

http::ClientResponse json_response(int status, std::string body);

// An error in the caller's dialect.
http::ClientResponse error_response(Dialect dialect, const GatewayError& error, std::string_view request_id);

}  // namespace switchyard::server
