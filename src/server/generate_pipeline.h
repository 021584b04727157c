// A generation request (chat completion, message, generateContent) from parse to the last
// byte of the response, in any client dialect against any provider.
#pragma once

#include <boost/asio/awaitable.hpp>

#include "dialects/routes.h"
#include "http/server.h"
#include "server/request_context.h"
#include "server/runtime.h"

namespace switchyard::server {

boost::asio::awaitable<void> run_generate(const Runtime& runtime, http::Exchange& exchange, RequestContext& context,
                                          const RouteMatch& route);

}  // namespace switchyard::server
