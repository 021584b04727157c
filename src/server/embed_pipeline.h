// Embeddings (OpenAI /v1/embeddings, Gemini :embedContent and :batchEmbedContents) against
// any provider with an embeddings API, always through the canonical embedding model.
#pragma once

#include <boost/asio/awaitable.hpp>

#include "dialects/routes.h"
#include "http/server.h"
#include "server/request_context.h"
#include "server/runtime.h"

namespace switchyard::server {

boost::asio::awaitable<void> run_embed(const Runtime& runtime, http::Exchange& exchange, RequestContext& context,
                                       const RouteMatch& route);

}  // namespace switchyard::server
