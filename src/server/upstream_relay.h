// Pieces every operation's pipeline shares when answering: errors in the client's dialect,
// and upstream error answers relayed (as they are, or re-shaped for another dialect).
#pragma once

#include <boost/asio/awaitable.hpp>
#include <string_view>

#include "dialects/codec.h"
#include "http/server.h"
#include "http/upstream.h"
#include "server/request_context.h"

namespace switchyard::server {

// Upstream headers a client may act on (rate limits, when and whether to retry); everything else
// (cookies, upstream ids, server banners) stays behind the gateway.
bool is_relayed_header(std::string_view name);

// The upstream's own rate-limit headers describe the provider account, not the caller: they
// are left out when the gateway reports the caller's limits itself (a virtual key's).
bool is_rate_limit_header(std::string_view name);

template <class Message>
void copy_relayed_headers(const http::UpstreamResponse& upstream, Message& message, const RequestContext& context) {
  upstream.for_each_header([&](std::string_view name, std::string_view value) {
    if (!is_relayed_header(name)) return;
    if (context.reports_rate_limits && is_rate_limit_header(name)) return;
    message.set(name, value);
  });
}

// Worth trying the next deployment: the failure says nothing about the request itself.
bool is_retryable_status(int status);

// The upstream's own advice on when to come back, from retry-after-ms or retry-after.
std::optional<Millis> retry_after(const http::UpstreamResponse& response);

// Sends `error` in the client's dialect and records it for the settle phase.
boost::asio::awaitable<void> send_error(http::Exchange& exchange, RequestContext& context, const DialectCodec& client,
                                        const GatewayError& error);

// A non-2xx upstream answer, read and kept so it can be relayed later (if no other
// deployment does better).
struct UpstreamFailure {
  int status = 0;
  std::string body;
  std::string content_type;
  http::HeaderList relayed_headers;
  const DialectCodec* codec = nullptr;
};

boost::asio::awaitable<Result<UpstreamFailure>> capture_failure(http::UpstreamResponse& upstream,
                                                               const DialectCodec& upstream_codec);

// Relays a non-2xx upstream answer with its status and retry hints: the body as the
// upstream sent it when the dialects match, re-encoded in the client's shape otherwise.
boost::asio::awaitable<void> relay_failure(http::Exchange& exchange, RequestContext& context,
                                           const DialectCodec& client, const UpstreamFailure& failure);

}  // namespace switchyard::server
