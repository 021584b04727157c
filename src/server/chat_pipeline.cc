#include "server/chat_pipeline.h"

#include <boost/beast/core/string.hpp>

#include "dialects/openai/chat_request.h"
#include "dialects/openai/chat_stream.h"
#include "dialects/openai/error.h"
#include "dialects/openai/usage.h"
#include "http/sse.h"
#include "server/responses.h"

namespace switchyard::server {
namespace net = boost::asio;
namespace bhttp = boost::beast::http;
using Clock = std::chrono::steady_clock;

namespace {

constexpr std::size_t kMaxErrorBody = 1024 * 1024;

// Upstream headers a client may act on (rate limits, when to retry); everything else
// (cookies, upstream ids, server banners) stays behind the gateway.
bool is_relayed_header(std::string_view name) {
  return boost::beast::iequals(name, "retry-after") || boost::beast::iequals(name, "retry-after-ms") ||
         (name.size() > 12 && boost::beast::iequals(name.substr(0, 12), "x-ratelimit-"));
}

template <class Message>
void copy_relayed_headers(const http::UpstreamResponse& upstream, Message& message) {
  for (const auto& [name, value] : upstream.headers()) {
    if (is_relayed_header(name)) message.set(name, value);
  }
}

// Worth trying the next deployment: the failure says nothing about the request itself.
bool is_retryable_status(int status) { return status == 408 || status == 429 || status >= 500; }

net::awaitable<void> send_error(http::Exchange& exchange, RequestContext& context, const GatewayError& error) {
  context.status = error.status;
  context.error_code = error.code;
  co_await exchange.response.send(error_response(error));
}

// Relays a non-2xx upstream answer: status, body and retry hints, as the upstream sent them.
net::awaitable<void> relay_upstream_error(http::Exchange& exchange, RequestContext& context,
                                          http::UpstreamResponse& upstream) {
  auto body = co_await upstream.read_all(kMaxErrorBody);
  if (!body) {
    co_await send_error(exchange, context, body.error());
    co_return;
  }
  http::ClientResponse response{static_cast<bhttp::status>(upstream.status()), 11};
  std::string_view content_type = upstream.header("content-type");
  response.set(bhttp::field::content_type, content_type.empty() ? "application/json" : content_type);
  copy_relayed_headers(upstream, response);
  response.body() = std::move(body.value());
  context.status = upstream.status();
  context.error_code = "upstream_" + std::to_string(upstream.status());
  co_await exchange.response.send(std::move(response));
}

net::awaitable<void> relay_complete(http::Exchange& exchange, RequestContext& context, const Runtime& runtime,
                                    http::UpstreamResponse& upstream) {
  auto body = co_await upstream.read_all(runtime.max_response_size);
  if (!body) {
    co_await send_error(exchange, context, body.error());
    co_return;
  }
  context.usage = openai::usage_from_response(body.value());
  http::ClientResponse response{bhttp::status::ok, 11};
  response.set(bhttp::field::content_type, "application/json");
  copy_relayed_headers(upstream, response);
  response.body() = std::move(body.value());
  context.status = 200;
  co_await exchange.response.send(std::move(response));
}

// Relays an SSE stream frame by frame. Reading the next piece only after the client took
// the last one is the backpressure: a slow client slows the upstream read, and nothing
// buffers the whole stream.
net::awaitable<void> relay_stream(http::Exchange& exchange, RequestContext& context, bool client_wants_usage,
                                  http::UpstreamResponse& upstream) {
  http::ResponseHeader header;
  header.result(bhttp::status::ok);
  header.set(bhttp::field::content_type, "text/event-stream");
  header.set(bhttp::field::cache_control, "no-cache");
  copy_relayed_headers(upstream, header);
  context.status = 200;
  if (!co_await exchange.response.begin_stream(std::move(header))) {
    context.error_code = "client_disconnected";
    co_return;
  }

  openai::ChatStreamTap tap(client_wants_usage);
  http::SseFrameSplitter splitter;
  std::string outgoing;
  while (true) {
    auto piece = co_await upstream.read_some();
    if (!piece) {
      // After the commit point a failure becomes an in-stream error; the partial frame
      // the upstream left behind is dropped so the client never parses half an event.
      context.error_code = piece.error().code;
      co_await exchange.response.write_chunk(openai::error_frame(piece.error()));
      break;
    }
    if (piece->empty()) break;
    splitter.feed(*piece);
    outgoing.clear();
    for (std::string_view frame = splitter.next_frame(); !frame.empty(); frame = splitter.next_frame()) {
      if (tap.on_frame(frame)) outgoing.append(frame);
    }
    if (!co_await exchange.response.write_chunk(outgoing)) {
      context.error_code = "client_disconnected";
      co_return;
    }
  }
  context.usage = tap.usage();
  if (tap.saw_error() && context.error_code.empty()) context.error_code = "upstream_stream_error";
  co_await exchange.response.end_stream();
}

}  // namespace

net::awaitable<void> run_chat_completion(const Runtime& runtime, http::Exchange& exchange, RequestContext& context) {
  context.dialect = "openai";

  // Parse: only what routing needs; the body itself travels on untouched.
  auto parsed = openai::inspect_chat_request(exchange.request.body());
  if (!parsed) {
    co_await send_error(exchange, context, parsed.error());
    co_return;
  }
  const openai::ChatRequestView& request = parsed.value();
  context.model = request.model;
  context.stream = request.stream;

  // Plan.
  std::vector<routing::Candidate> candidates = runtime.router.plan(request.model);
  if (candidates.empty()) {
    co_await send_error(exchange, context,
                        make_error(ErrorKind::not_found,
                                   "The model '" + request.model + "' does not exist or is not configured on this gateway.",
                                   "model_not_found", "model"));
    co_return;
  }

  // Attempt loop: the next candidate is tried when one fails before anything reached the
  // client. Retry policy, backoff, cooldowns and hedging build on this loop.
  GatewayError last_error = make_error(ErrorKind::unavailable, "no deployment could serve the request", "no_deployment");
  for (std::size_t i = 0; i < candidates.size(); ++i) {
    const routing::Candidate& candidate = candidates[i];
    bool last_candidate = i + 1 == candidates.size();
    context.attempts += 1;
    context.provider = candidate.provider->name();
    context.upstream_model = candidate.model;

    providers::ChatCall call;
    call.body = openai::passthrough_body(exchange.request.body(), request, candidate.model);
    call.stream = request.stream;
    call.timeouts = candidate.provider->timeouts().value_or(runtime.timeouts);

    Clock::time_point started = Clock::now();
    auto upstream = co_await candidate.provider->chat(call, exchange.upstreams);
    context.upstream_time += Clock::now() - started;
    if (!upstream) {
      last_error = upstream.error();
      if (!last_candidate) continue;
      co_await send_error(exchange, context, last_error);
      co_return;
    }
    http::UpstreamResponse& response = *upstream.value();
    context.upstream_status = response.status();
    if (response.status() < 200 || response.status() >= 300) {
      if (is_retryable_status(response.status()) && !last_candidate) continue;
      co_await relay_upstream_error(exchange, context, response);
      co_return;
    }

    started = Clock::now();
    if (!request.stream) {
      co_await relay_complete(exchange, context, runtime, response);
    } else if (response.header("content-type").find("text/event-stream") == std::string_view::npos) {
      // Official SDKs silently yield nothing for a JSON body on a stream request; say so instead.
      co_await send_error(exchange, context,
                          make_error(ErrorKind::upstream_protocol,
                                     "the upstream answered a streaming request without an event stream",
                                     "upstream_not_streaming"));
    } else {
      co_await relay_stream(exchange, context, request.include_usage, response);
    }
    context.upstream_time += Clock::now() - started;
    co_return;
  }
  co_await send_error(exchange, context, last_error);
}

}  // namespace switchyard::server
