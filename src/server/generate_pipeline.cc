#include "server/generate_pipeline.h"

#include "core/log.h"
#include "dialects/codec.h"
#include "http/sse.h"
#include "server/attempt_loop.h"
#include "server/responses.h"
#include "server/upstream_relay.h"

namespace switchyard::server {
namespace net = boost::asio;

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
    if (!decoded) decoded = client.decode_request(exchange.request.body, path_model, view.stream);
    return *decoded;
  }
};

// A failure before the client saw anything lets the attempt loop try another deployment.
AnswerOutcome before_commit(GatewayError error) { return AnswerOutcome{std::move(error)}; }

net::awaitable<AnswerOutcome> relay_complete(Flow& flow, const Runtime& runtime, const DialectCodec& upstream_codec,
                                             http::UpstreamResponse& upstream) {
  auto body = co_await upstream.read_all(runtime.max_response_size);
  if (!body) co_return before_commit(body.error());
  http::ClientResponse response{200};
  response.set("Content-Type", "application/json");
  copy_relayed_headers(upstream, response);
  if (upstream_codec.dialect == flow.client.dialect) {
    flow.context.usage = upstream_codec.usage_from_response(body.value());
    response.body = std::move(body.value());
  } else {
    auto decoded = upstream_codec.decode_response(body.value());
    if (!decoded) co_return before_commit(decoded.error());
    flow.context.usage = decoded->usage;
    response.body = flow.client.encode_response(decoded.value(), flow.view.model);
  }
  flow.context.status = 200;
  co_await flow.exchange.response.send(std::move(response));
  co_return AnswerOutcome{};
}

net::awaitable<bool> begin_event_stream(Flow& flow, http::UpstreamResponse& upstream) {
  http::ResponseHeader header{200};
  header.set("Content-Type", "text/event-stream");
  header.set("Cache-Control", "no-cache");
  copy_relayed_headers(upstream, header);
  flow.context.status = 200;
  bool started = co_await flow.exchange.response.begin_stream(std::move(header));
  if (!started) flow.context.error_code = "client_disconnected";
  co_return started;
}

// Same dialect: frames relayed byte for byte. Reading the next piece only after the client
// took the last one is the backpressure: a slow client slows the upstream read, and
// nothing buffers the whole stream. The first piece is read before the response starts,
// so a failure there can still be answered by another deployment.
net::awaitable<AnswerOutcome> relay_stream(Flow& flow, const DialectCodec& codec, http::UpstreamResponse& upstream) {
  auto piece = co_await upstream.read_some();
  if (!piece) co_return before_commit(piece.error());
  if (!co_await begin_event_stream(flow, upstream)) co_return AnswerOutcome{};
  std::unique_ptr<PassthroughTap> tap = codec.make_passthrough_tap(flow.view.include_usage);
  http::SseFrameSplitter splitter;
  std::string outgoing;
  while (true) {
    outgoing.clear();
    if (!piece) {
      // After the commit point a failure becomes an in-stream error; the partial frame
      // the upstream left behind is dropped so the client never parses half an event.
      flow.context.error_code = piece.error().code;
      outgoing = flow.client.error_frame(piece.error());
      break;
    }
    if (piece->empty()) break;
    splitter.feed(*piece);
    for (std::string_view frame = splitter.next_frame(); !frame.empty(); frame = splitter.next_frame()) {
      if (tap->on_frame(frame)) outgoing.append(frame);
    }
    // A body that arrived whole ends with its last piece: it goes out with the end.
    if (upstream.finished()) break;
    if (!co_await flow.exchange.response.write_chunk(outgoing)) {
      flow.context.error_code = "client_disconnected";
      co_return AnswerOutcome{};
    }
    piece = co_await upstream.read_some();
  }
  flow.context.usage = tap->usage();
  if (tap->saw_error() && flow.context.error_code.empty()) flow.context.error_code = "upstream_stream_error";
  if (!co_await flow.exchange.response.end_stream(outgoing) && flow.context.error_code.empty()) {
    flow.context.error_code = "client_disconnected";
  }
  co_return AnswerOutcome{};
}

// Different dialects: upstream frames -> canonical events -> the client's frames.
net::awaitable<AnswerOutcome> translate_stream(Flow& flow, const DialectCodec& upstream_codec,
                                               http::UpstreamResponse& upstream) {
  auto piece = co_await upstream.read_some();
  if (!piece) co_return before_commit(piece.error());
  if (!co_await begin_event_stream(flow, upstream)) co_return AnswerOutcome{};
  std::unique_ptr<StreamDecoder> decoder = upstream_codec.make_stream_decoder();
  std::unique_ptr<StreamEncoder> encoder = flow.client.make_stream_encoder(flow.view.model, flow.view.include_usage);
  http::SseFrameSplitter splitter;
  std::vector<canonical::StreamEvent> events;
  std::string outgoing;
  bool finished = false;
  while (!finished) {
    events.clear();
    if (!piece) {
      events.push_back(canonical::StreamError{piece.error()});
      finished = true;
    } else {
      splitter.feed(*piece);
      for (std::string_view frame = splitter.next_frame(); !frame.empty(); frame = splitter.next_frame()) {
        decoder->decode(http::parse_sse_frame(frame), events);
      }
      // The end of the body, whether it came alone or with the last piece.
      if (piece->empty() || upstream.finished()) {
        if (!decoder->finish(events)) {
          events.push_back(canonical::StreamError{make_error(ErrorKind::upstream_protocol,
                                                             "the upstream ended the stream before it was complete",
                                                             "upstream_truncated")});
        }
        finished = true;
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
    if (finished) break;  // the last events go out with the end of the stream
    if (!outgoing.empty() && !co_await flow.exchange.response.write_chunk(outgoing)) {
      flow.context.error_code = "client_disconnected";
      co_return AnswerOutcome{};
    }
    piece = co_await upstream.read_some();
  }
  if (!co_await flow.exchange.response.end_stream(outgoing) && flow.context.error_code.empty()) {
    flow.context.error_code = "client_disconnected";
  }
  co_return AnswerOutcome{};
}

}  // namespace

net::awaitable<void> run_generate(const Runtime& runtime, http::Exchange& exchange, RequestContext& context,
                                  const RouteMatch& route) {
  const DialectCodec& client = codec_for(route.dialect);
  context.dialect = std::string(dialect_name(route.dialect));
  Flow flow{exchange, context, client, {}, std::nullopt};

  // Parse: only what routing needs; the body itself travels on untouched when it can.
  auto view = client.inspect_request(exchange.request.body, route.model, route.stream);
  if (!view) {
    co_await flow.fail(view.error());
    co_return;
  }
  flow.view = std::move(view.value());
  context.model = flow.view.model;
  context.stream = flow.view.stream;

  AttemptSpec spec;
  spec.operation = providers::Operation::generate;
  spec.model = flow.view.model;
  spec.extra_models = flow.view.fallback_models;
  spec.stream = flow.view.stream;
  auto build_body = [&](const routing::Candidate& candidate, const DialectCodec& upstream) -> UpstreamBody {
    if (upstream.dialect == client.dialect) {
      return {client.passthrough_body(exchange.request.body, flow.view, candidate.model)};
    }
    const auto& request = flow.canonical_request(route.model);
    if (!request) return {request.error(), true};
    canonical::EncodeOptions options;
    options.upstream_model = candidate.model;
    options.provider = candidate.provider->name();
    options.unsupported = candidate.unsupported_params;
    // An error here means this provider's dialect cannot express the request; another
    // deployment may speak one that can.
    return {upstream.encode_request(request.value(), options)};
  };
  auto answer = [&](const DialectCodec& upstream, http::UpstreamResponse& response) -> net::awaitable<AnswerOutcome> {
    if (!flow.view.stream) co_return co_await relay_complete(flow, runtime, upstream, response);
    if (response.header("content-type").find("text/event-stream") == std::string_view::npos) {
      // Official SDKs silently yield nothing for a JSON body on a stream request; say so instead.
      co_return before_commit(make_error(ErrorKind::upstream_protocol,
                                         "the upstream answered a streaming request without an event stream",
                                         "upstream_not_streaming"));
    }
    if (upstream.dialect == client.dialect) co_return co_await relay_stream(flow, upstream, response);
    co_return co_await translate_stream(flow, upstream, response);
  };
  spec.build_body = build_body;
  spec.answer = answer;
  co_await run_attempts(runtime, exchange, context, client, spec);
}

}  // namespace switchyard::server
