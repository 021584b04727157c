// Token counting (Anthropic /v1/messages/count_tokens, Gemini :countTokens): asked of the
// provider when its API can count, estimated locally when it cannot.
#pragma once

#include <boost/asio/awaitable.hpp>

#include "dialects/routes.h"
#include "http/server.h"
#include "server/request_context.h"
#include "server/runtime.h"

namespace switchyard::server {

boost::asio::awaitable<void> run_count_tokens(const Runtime& runtime, http::Exchange& exchange, RequestContext& context,
                                              const RouteMatch& route);

}  // namespace switchyard::server
