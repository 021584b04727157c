#include "server/upstream_relay.h"

#include <boost/beast/core/string.hpp>
#include <charconv>

#include "server/responses.h"

namespace switchyard::server {

namespace {
constexpr std::size_t kMaxErrorBody = 1024 * 1024;
}

bool is_relayed_header(std::string_view name) {
  return boost::beast::iequals(name, "retry-after") || boost::beast::iequals(name, "retry-after-ms") ||
         boost::beast::iequals(name, "x-should-retry") ||
         (name.size() > 12 && boost::beast::iequals(name.substr(0, 12), "x-ratelimit-"));
}

bool is_rate_limit_header(std::string_view name) {
  return name.size() > 12 && boost::beast::iequals(name.substr(0, 12), "x-ratelimit-");
}

bool is_retryable_status(int status) { return status == 408 || status == 429 || status >= 500; }

std::optional<Millis> retry_after(const http::UpstreamResponse& response) {
  auto parse = [](std::string_view text) -> std::optional<long long> {
    long long value = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc{} || value < 0) return std::nullopt;
    return value;
  };
  if (auto ms = parse(response.header("retry-after-ms"))) return Millis(*ms);
  if (auto seconds = parse(response.header("retry-after"))) return Millis(*seconds * 1000);
  return std::nullopt;
}

boost::asio::awaitable<void> send_error(http::Exchange& exchange, RequestContext& context, const DialectCodec& client,
                                        const GatewayError& error) {
  context.record_error(error);
  http::ClientResponse response = json_response(error.status, client.error_body(error, context.outcome.request_id));
  if (!error.retry_after.empty()) response.set("Retry-After", error.retry_after);
  co_await exchange.response.send(std::move(response));
}

boost::asio::awaitable<Result<UpstreamFailure>> capture_failure(http::UpstreamResponse& upstream,
                                                               const DialectCodec& upstream_codec) {
  auto body = co_await upstream.read_all(kMaxErrorBody);
  if (!body) co_return body.take_error();
  UpstreamFailure failure;
  failure.status = upstream.status();
  failure.body = std::move(body.value());
  failure.content_type = std::string(upstream.header("content-type"));
  upstream.for_each_header([&](std::string_view name, std::string_view value) {
    if (is_relayed_header(name)) failure.relayed_headers.emplace_back(name, value);
  });
  failure.codec = &upstream_codec;
  co_return failure;
}

boost::asio::awaitable<void> relay_failure(http::Exchange& exchange, RequestContext& context,
                                           const DialectCodec& client, const UpstreamFailure& failure) {
  int status = failure.status;
  http::ClientResponse response{status};
  for (const auto& [name, value] : failure.relayed_headers) {
    if (!(context.reports_rate_limits && is_rate_limit_header(name))) response.set(name, value);
  }
  if (failure.codec->dialect == client.dialect) {
    response.set("Content-Type", failure.content_type.empty() ? "application/json" : failure.content_type);
    response.body = failure.body;
  } else {
    GatewayError error = failure.codec->decode_error(status, failure.body);
    if (error.retry_after.empty()) {
      for (const auto& [name, value] : failure.relayed_headers) {
        if (boost::beast::iequals(name, "retry-after")) error.retry_after = value;
      }
    }
    // "Overloaded" is 529 to Anthropic clients (whose SDK retries it) and 503 to the others.
    if (error.status == 503 || error.status == 529) error.status = client.overloaded_status;
    response.set_status(error.status);
    response.set("Content-Type", "application/json");
    response.body = client.error_body(error, context.outcome.request_id);
    status = error.status;
    if (!error.retry_after.empty()) response.set("Retry-After", error.retry_after);
    // Refusals that will fail again (no quota, no credit): tell the SDKs not to retry them.
    if (error.permanent) response.set("x-should-retry", "false");
  }
  context.outcome.status = status;
  context.outcome.error_kind = kind_for_status(failure.status);
  context.outcome.error_code = "upstream_" + std::to_string(failure.status);
  context.outcome.ending = Ending::failed;
  co_await exchange.response.send(std::move(response));
}

}  // namespace switchyard::server
