#include "server/generate_pipeline.h"

#include "core/log.h"
#include "dialects/codec.h"
#include "http/sse.h"
#include "server/responses.h"
#include "server/upstream_relay.h"

namespace switchyard::server {
namespace net = boost::asio;
namespace bhttp = boost::beast::http;
using Clock = std::chrono::steady_clock;

namespace {

// One request's journey: the client's dialect, and the request as the client sent it.
struct Flow {
  http::Exchange& exchange;
  RequestContext& context;
  const DialectCodec& client;
  RequestView view;
  std::optional<Result<canonical::Request>> decoded;  // decoded once, on the first translation

  net::awaitable<void> fail(const GatewayError& error) { co_await send_error(exchange, context, client, error); }

  const Result<canonical::Request>& canonical_request(std::string_view path_model) {
    if (!decoded) decoded = client.decode_request(exchange.request.body(), path_model, view.stream);
    return *decoded;
  }
};

net::awaitable<void> relay_complete(Flow& flow, const Runtime& runtime, const DialectCodec& upstream_codec,
                                    http::UpstreamResponse& upstream) {
  auto body = co_await upstream.read_all(runtime.max_response_size);
  if (!body) {
    co_await flow.fail(body.error());
    co_return;
  }
  http::ClientResponse response{bhttp::status::ok, 11};
  response.set(bhttp::field::content_type, "application/json");
  copy_relayed_headers(upstream, response);
  if (upstream_codec.dialect == flow.client.dialect) {
    flow.context.usage = upstream_codec.usage_from_response(body.value());
    response.body() = std::move(body.value());
  } else {
    auto decoded = upstream_codec.decode_response(body.value());
    if (!decoded) {
      co_await flow.fail(decoded.error());
      co_return;
    }
    flow.context.usage = decoded->usage;
    response.body() = flow.client.encode_response(decoded.value(), flow.view.model);
  }
  flow.context.status = 200;
  co_await flow.exchange.response.send(std::move(response));
}

net::awaitable<bool> begin_event_stream(Flow& flow, http::UpstreamResponse& upstream) {
  http::ResponseHeader header;
  header.result(bhttp::status::ok);
  header.set(bhttp::field::content_type, "text/event-stream");
  header.set(bhttp::field::cache_control, "no-cache");
  copy_relayed_headers(upstream, header);
  flow.context.status = 200;
  bool started = co_await flow.exchange.response.begin_stream(std::move(header));
  if (!started) flow.context.error_code = "client_disconnected";
  co_return started;
}

// Same dialect: frames relayed byte for byte. Reading the next piece only after the client
// took the last one is the backpressure: a slow client slows the upstream read, and
// nothing buffers the whole stream.
net::awaitable<void> relay_stream(Flow& flow, const DialectCodec& codec, http::UpstreamResponse& upstream) {
  if (!co_await begin_event_stream(flow, upstream)) co_return;
  std::unique_ptr<PassthroughTap> tap = codec.make_passthrough_tap(flow.view.include_usage);
  http::SseFrameSplitter splitter;
  std::string outgoing;
  while (true) {
    auto piece = co_await upstream.read_some();
    if (!piece) {
      // After the commit point a failure becomes an in-stream error; the partial frame
      // the upstream left behind is dropped so the client never parses half an event.
      flow.context.error_code = piece.error().code;
      co_await flow.exchange.response.write_chunk(flow.client.error_frame(piece.error()));
      break;
    }
    if (piece->empty()) break;
    splitter.feed(*piece);
    outgoing.clear();
    for (std::string_view frame = splitter.next_frame(); !frame.empty(); frame = splitter.next_frame()) {
      if (tap->on_frame(frame)) outgoing.append(frame);
    }
    if (!co_await flow.exchange.response.write_chunk(outgoing)) {
      flow.context.error_code = "client_disconnected";
      co_return;
    }
  }
  flow.context.usage = tap->usage();
  if (tap->saw_error() && flow.context.error_code.empty()) flow.context.error_code = "upstream_stream_error";
  co_await flow.exchange.response.end_stream();
}

// Different dialects: upstream frames -> canonical events -> the client's frames.
net::awaitable<void> translate_stream(Flow& flow, const DialectCodec& upstream_codec, http::UpstreamResponse& upstream) {
  if (!co_await begin_event_stream(flow, upstream)) co_return;
  std::unique_ptr<StreamDecoder> decoder = upstream_codec.make_stream_decoder();
  std::unique_ptr<StreamEncoder> encoder = flow.client.make_stream_encoder(flow.view.model, flow.view.include_usage);
  http::SseFrameSplitter splitter;
  std::vector<canonical::StreamEvent> events;
  std::string outgoing;
  bool finished = false;
  while (!finished) {
    events.clear();
    auto piece = co_await upstream.read_some();
    if (!piece) {
      events.push_back(canonical::StreamError{piece.error()});
      finished = true;
    } else if (piece->empty()) {
      if (!decoder->finish(events)) {
        events.push_back(canonical::StreamError{make_error(ErrorKind::upstream_protocol,
                                                           "the upstream ended the stream before it was complete",
                                                           "upstream_truncated")});
      }
      finished = true;
    } else {
      splitter.feed(*piece);
      for (std::string_view frame = splitter.next_frame(); !frame.empty(); frame = splitter.next_frame()) {
        decoder->decode(http::parse_sse_frame(frame), events);
      }
    }
    outgoing.clear();
    for (const canonical::StreamEvent& event : events) {
      if (auto* delta = std::get_if<canonical::MessageDelta>(&event)) flow.context.usage = delta->usage;
      if (auto* error = std::get_if<canonical::StreamError>(&event)) {
        flow.context.error_code = error->error.code.empty() ? "upstream_stream_error" : error->error.code;
        finished = true;
      }
      encoder->encode(event, outgoing);
    }
    if (!outgoing.empty() && !co_await flow.exchange.response.write_chunk(outgoing)) {
      flow.context.error_code = "client_disconnected";
      co_return;
    }
  }
  co_await flow.exchange.response.end_stream();
}

}  // namespace

net::awaitable<void> run_generate(const Runtime& runtime, http::Exchange& exchange, RequestContext& context,
                                  const RouteMatch& route) {
  const DialectCodec& client = codec_for(route.dialect);
  context.dialect = std::string(dialect_name(route.dialect));
  Flow flow{exchange, context, client, {}, std::nullopt};

  // Parse: only what routing needs; the body itself travels on untouched when it can.
  auto view = client.inspect_request(exchange.request.body(), route.model, route.stream);
  if (!view) {
    co_await flow.fail(view.error());
    co_return;
  }
  flow.view = std::move(view.value());
  context.model = flow.view.model;
  context.stream = flow.view.stream;

  // Plan.
  std::vector<routing::Candidate> candidates = runtime.router.plan(flow.view.model);
  if (candidates.empty()) {
    co_await flow.fail(make_error(ErrorKind::not_found,
                                  "The model '" + flow.view.model + "' does not exist or is not configured on this gateway.",
                                  "model_not_found", "model"));
    co_return;
  }

  // Attempt loop: the next candidate is tried when one fails before anything reached the
  // client. Retry policy, backoff, cooldowns and hedging build on this loop.
  GatewayError last_error = make_error(ErrorKind::unavailable, "no deployment could serve the request", "no_deployment");
  for (std::size_t i = 0; i < candidates.size(); ++i) {
    const routing::Candidate& candidate = candidates[i];
    const providers::Provider& provider = *candidate.provider;
    const DialectCodec& upstream_codec = codec_for(provider.dialect());
    bool last_candidate = i + 1 == candidates.size();
    bool same_dialect = upstream_codec.dialect == client.dialect;
    context.attempts += 1;
    context.provider = provider.name();
    context.upstream_model = candidate.model;

    providers::ProviderCall call;
    call.model = candidate.model;
    call.stream = flow.view.stream;
    call.timeouts = provider.timeouts().value_or(runtime.timeouts);
    if (same_dialect) {
      call.body = client.passthrough_body(exchange.request.body(), flow.view, candidate.model);
    } else {
      const auto& request = flow.canonical_request(route.model);
      if (!request) {
        co_await flow.fail(request.error());
        co_return;
      }
      canonical::EncodeOptions options;
      options.upstream_model = candidate.model;
      options.provider = provider.name();
      options.unsupported = candidate.unsupported_params;
      auto body = upstream_codec.encode_request(request.value(), options);
      if (!body) {
        // The request cannot be expressed for this provider; another deployment may speak
        // a dialect that can take it.
        last_error = body.error();
        if (!last_candidate) continue;
        co_await flow.fail(last_error);
        co_return;
      }
      call.body = std::move(body.value());
    }

    Clock::time_point started = Clock::now();
    auto upstream = co_await provider.send(call, exchange.upstreams);
    context.upstream_time += Clock::now() - started;
    if (!upstream) {
      last_error = upstream.error();
      if (!last_candidate) continue;
      co_await flow.fail(last_error);
      co_return;
    }
    http::UpstreamResponse& response = *upstream.value();
    context.upstream_status = response.status();
    if (response.status() < 200 || response.status() >= 300) {
      if (is_retryable_status(response.status()) && !last_candidate) continue;
      co_await relay_upstream_error(exchange, context, client, upstream_codec, response);
      co_return;
    }

    started = Clock::now();
    if (!flow.view.stream) {
      co_await relay_complete(flow, runtime, upstream_codec, response);
    } else if (response.header("content-type").find("text/event-stream") == std::string_view::npos) {
      // Official SDKs silently yield nothing for a JSON body on a stream request; say so instead.
      co_await flow.fail(make_error(ErrorKind::upstream_protocol,
                                    "the upstream answered a streaming request without an event stream",
                                    "upstream_not_streaming"));
    } else if (same_dialect) {
      co_await relay_stream(flow, upstream_codec, response);
    } else {
      co_await translate_stream(flow, upstream_codec, response);
    }
    context.upstream_time += Clock::now() - started;
    co_return;
  }
  co_await flow.fail(last_error);
}

}  // namespace switchyard::server
