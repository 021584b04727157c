// POST /v1/chat/completions from parse to the last byte of the response.
#pragma once

#include <boost/asio/awaitable.hpp>

#include "http/server.h"
#include "server/request_context.h"
#include "server/runtime.h"

namespace switchyard::server {

boost::asio::awaitable<void> run_chat_completion(const Runtime& runtime, http::Exchange& exchange,
                                                 RequestContext& context);

}  // namespace switchyard::server
