#include "server/upstream_relay.h"

#include <boost/beast/core/string.hpp>

#include "server/responses.h"

namespace switchyard::server {
namespace bhttp = boost::beast::http;

namespace {
constexpr std::size_t kMaxErrorBody = 1024 * 1024;
}

bool is_relayed_header(std::string_view name) {
  return boost::beast::iequals(name, "retry-after") || boost::beast::iequals(name, "retry-after-ms") ||
         boost::beast::iequals(name, "x-should-retry") ||
         (name.size() > 12 && boost::beast::iequals(name.substr(0, 12), "x-ratelimit-"));
}

bool is_retryable_status(int status) { return status == 408 || status == 429 || status >= 500; }

boost::asio::awaitable<void> send_error(http::Exchange& exchange, RequestContext& context, const DialectCodec& client,
                                        const GatewayError& error) {
  context.status = error.status;
  context.error_code = error.code;
  co_await exchange.response.send(json_response(error.status, client.error_body(error, context.request_id)));
}

boost::asio::awaitable<void> relay_upstream_error(http::Exchange& exchange, RequestContext& context,
                                                  const DialectCodec& client, const DialectCodec& upstream_codec,
                                                  http::UpstreamResponse& upstream) {
  auto body = co_await upstream.read_all(kMaxErrorBody);
  if (!body) {
    co_await send_error(exchange, context, client, body.error());
    co_return;
  }
  int status = upstream.status();
  http::ClientResponse response{static_cast<bhttp::status>(status), 11};
  if (upstream_codec.dialect == client.dialect) {
    std::string_view content_type = upstream.header("content-type");
    response.set(bhttp::field::content_type, content_type.empty() ? "application/json" : content_type);
    response.body() = std::move(body.value());
  } else {
    GatewayError error = upstream_codec.decode_error(status, body.value());
    if (error.retry_after.empty()) error.retry_after = std::string(upstream.header("retry-after"));
    // "Overloaded" is 529 to Anthropic clients (whose SDK retries it) and 503 to the others.
    if (error.status == 503 || error.status == 529) error.status = client.overloaded_status;
    response.result(static_cast<bhttp::status>(error.status));
    response.set(bhttp::field::content_type, "application/json");
    response.body() = client.error_body(error, context.request_id);
    status = error.status;
    if (!error.retry_after.empty()) response.set(bhttp::field::retry_after, error.retry_after);
    // Quota and billing refusals will fail again; tell the SDKs not to retry them.
    if (error.code == "insufficient_quota" || error.code == "billing_error") response.set("x-should-retry", "false");
  }
  copy_relayed_headers(upstream, response);
  context.status = status;
  context.error_code = "upstream_" + std::to_string(upstream.status());
  co_await exchange.response.send(std::move(response));
}

}  // namespace switchyard::server
