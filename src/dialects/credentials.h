// Reading a caller's key off a request, for the dialects' ClientAuth hooks.
#pragma once

#include <string_view>

#include "http/server.h"

namespace switchyard::credentials {

// The value of header `name`, without surrounding blanks; empty when absent.
std::string_view header(const http::ClientRequest& request, std::string_view name);

// The token of `Authorization: Bearer <token>` (the scheme in any case), or empty.
std::string_view bearer_token(const http::ClientRequest& request);

// The value of query parameter `name` in the request target, as sent, or empty.
std::string_view query_parameter(const http::ClientRequest& request, std::string_view name);

}  // namespace switchyard::credentials
