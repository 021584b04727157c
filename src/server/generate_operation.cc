// Generation (chat completion, message, generateContent) from any client dialect against
// any provider: the body passes through with only its model rewritten when the dialects
// match, and is translated through the canonical model when they do not; streams are
// relayed frame by frame, or translated event by event.
#include "server/operations.h"

#include <chrono>

#include "http/sse.h"
#include "server/responses.h"
#include "server/upstream_relay.h"

namespace switchyard::server {
namespace net = boost::asio;

namespace {

// A failure before the client saw anything lets the attempt loop try another deployment.
AnswerOutcome before_commit(GatewayError error) { return AnswerOutcome{std::move(error)}; }

class GenerateOperation final : public OperationHandler {
 public:
  explicit GenerateOperation(RequestScope& scope) : scope_(scope), client_(scope.client) {}

  std::string_view name() const override { return "generate"; }
  providers::Operation upstream_operation() const override { return providers::Operation::generate; }

  // Only what routing needs: the body itself travels on untouched when it can.
  Result<ParsedRequest> parse() override {
    auto view = client_.inspect_request(body(), scope_.route.model, scope_.route.stream);
    if (!view) return view.take_error();
    view_ = std::move(view.value());
    return ParsedRequest{view_.model, view_.stream, view_.fallback_models, view_.max_output_tokens, view_.user};
  }

  bool needs_state() const override { return client_.conversation && scope_.responses && refs().refers(); }
  std::string_view pinned_provider() const override { return pinned_provider_; }

  // The conversation a Responses request continues, when this gateway kept it: the request
  // is rewritten to carry it, so everything after sees a self-contained request. References
  // not found here stay, for an upstream that keeps conversations itself.
  net::awaitable<std::optional<GatewayError>> load_state() override {
    std::string owner = owner_of(outcome().principal);
    std::string previous;
    if (!refs().previous_id.empty()) {
      std::optional<store::StoredResponse> stored = co_await scope_.responses->get(refs().previous_id, owner);
      if (stored) {
        previous = std::move(stored->conversation);
      } else {
        // An upstream keeps it: the request goes back to that provider's account.
        std::optional<std::string> holder = co_await scope_.responses->upstream_of(refs().previous_id, owner);
        if (holder) pinned_provider_ = std::move(*holder);
      }
    }
    std::vector<std::pair<std::string, std::string>> items;
    for (const std::string& id : refs().item_ids) {
      std::optional<std::string> item = co_await scope_.responses->find_item(id, owner);
      if (item) items.emplace_back(id, std::move(*item));
    }
    if (previous.empty() && items.empty()) co_return std::nullopt;
    auto expanded = client_.conversation->expand(body(), previous, items);
    if (!expanded) co_return expanded.take_error();
    expanded_body_ = std::move(expanded.value());
    co_return std::nullopt;
  }

  Result<std::string> build_body(const routing::Candidate& candidate, const DialectCodec& upstream) override {
    if (upstream.dialect == client_.dialect) return client_.passthrough_body(body(), view_, candidate.model);
    const auto& request = canonical_request();
    if (!request) return request.error();  // the client's request itself: Fault::request
    // This provider's dialect may not express the request; another deployment's may.
    return candidate_encoding(upstream.encode_request(request.value(), encode_options(candidate)));
  }

  // A whole answer is relayed (or translated) here; a stream by relay_stream or
  // translate_stream. (One coroutine less for a whole answer: each costs a frame.)
  net::awaitable<AnswerOutcome> respond(const DialectCodec& upstream, http::UpstreamResponse& response,
                                        const FunctionRef<void()>& commit) override {
    if (view_.stream) {
      if (response.header("content-type").find("text/event-stream") == std::string_view::npos) {
        // Official SDKs silently yield nothing for a JSON body on a stream request; say so instead.
        co_return before_commit(make_error(ErrorKind::upstream_protocol,
                                           "the upstream answered a streaming request without an event stream",
                                           "upstream_not_streaming"));
      }
      if (upstream.dialect == client_.dialect) co_return co_await relay_stream(upstream, response, commit);
      co_return co_await translate_stream(upstream, response, commit);
    }
    auto answer = co_await response.read_all(scope_.runtime->max_response_size);
    if (!answer) co_return before_commit(answer.error());
    http::ClientResponse reply{200};
    reply.set("Content-Type", "application/json");
    copy_relayed_headers(response, reply, scope_.context);
    if (upstream.dialect == client_.dialect) {
      outcome().usage = upstream.usage_from_response(answer.value());
      if (keeps_answers()) note_upstream_answer(client_.conversation->answer_id(answer.value()));
      reply.body = std::move(answer.value());
    } else {
      auto decoded = upstream.decode_response(answer.value());
      if (!decoded) co_return before_commit(decoded.error());
      outcome().usage = decoded->usage;
      reply.body = client_.encode_response(decoded.value(), view_.model);
      if (std::optional<std::string> kept = keep_answer(reply.body)) reply.body = std::move(*kept);
    }
    outcome().status = 200;
    // In a statement of its own: g++ 12 miscompiles a co_await whose argument is a class
    // temporary inside a condition.
    commit();
    bool sent = co_await channel().send(std::move(reply));
    if (!sent) client_went_away();
    co_return AnswerOutcome{};
  }

 private:
  // What a Responses request refers to of a kept conversation, and whether to keep its answer.
  const ConversationRefs& refs() const { return view_.conversation; }
  std::string_view body() const { return expanded_body_.empty() ? std::string_view(scope_.exchange.request.body) : expanded_body_; }

  // Whether this request's answer is remembered: a dialect whose server keeps conversations,
  // a store, a retention, and a client that did not say `store: false`.
  bool keeps_answers() const {
    return client_.conversation && scope_.responses && refs().store && retention().count() > 0;
  }
  std::chrono::seconds retention() const {
    return std::chrono::duration_cast<std::chrono::seconds>(scope_.runtime->response_retention);
  }
  static std::chrono::seconds now() {
    return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch());
  }

  // Notes which provider keeps an answer it stored itself, so the client's next turn goes back to it.
  void note_upstream_answer(const std::string& id) {
    if (id.empty()) return;
    scope_.responses->note_upstream(id, owner_of(outcome().principal), outcome().provider, (now() + retention()).count());
  }

  // Keeps a translated Responses answer for the client's next turn, unless it asked not to (a
  // Responses upstream keeps its own). Returns the answer as kept (`store: true`).
  std::optional<std::string> keep_answer(std::string_view answer) {
    if (!keeps_answers()) return std::nullopt;
    std::optional<KeptAnswer> kept = client_.conversation->keep(body(), answer);
    if (!kept) return std::nullopt;
    scope_.responses->put(store::StoredResponse{kept->id, owner_of(outcome().principal), kept->body, kept->conversation,
                                                now().count(), (now() + retention()).count()});
    return std::move(kept->body);
  }
  Outcome& outcome() { return scope_.context.outcome; }
  http::ResponseChannel& channel() { return scope_.exchange.response; }

  // Decoded once, on the first translation.
  const Result<canonical::Request>& canonical_request() {
    if (!decoded_) decoded_ = client_.decode_request(body(), scope_.route.model, view_.stream);
    return *decoded_;
  }

  void client_went_away() { scope_.context.client_closed(); }

  // The stream is on its way to the client: from here on, a cut stream was billed. Its input
  // is estimated from the request (about four bytes a token) until the upstream reports it.
  void start_estimate() { scope_.context.stream_started(static_cast<std::int64_t>(body().size() + 3) / 4); }

  // Whether a failed upstream read means the client left (the server then cancels the
  // read): nobody is there for an error event.
  bool client_left(const GatewayError& error) const {
    return error.fault == Fault::cancelled || scope_.exchange.response.client_gone();
  }

  net::awaitable<bool> begin_event_stream(http::UpstreamResponse& response) {
    http::ResponseHeader header{200};
    header.set("Content-Type", "text/event-stream");
    header.set("Cache-Control", "no-cache");
    copy_relayed_headers(response, header, scope_.context);
    outcome().status = 200;
    bool started = co_await channel().begin_stream(std::move(header));
    if (!started) client_went_away();
    co_return started;
  }

  // After the commit point a failure becomes an in-stream error event.
  void stream_failed(const GatewayError& error) {
    outcome().ending = Ending::stream_failed;
    outcome().error_kind = error.kind;
    outcome().error_code = error.code.empty() ? "upstream_stream_error" : error.code;
  }

  // Same dialect: frames relayed byte for byte. Reading the next piece only after the client
  // took the last one is the backpressure: a slow client slows the upstream read, and
  // nothing buffers the whole stream. The first piece (up to the first token) was read
  // before the response started, so a failure there could still be answered by another
  // deployment.
  net::awaitable<AnswerOutcome> relay_stream(const DialectCodec& codec, http::UpstreamResponse& upstream,
                                             const FunctionRef<void()>& commit) {
    auto piece = co_await upstream.read_some();
    if (!piece) co_return before_commit(piece.error());
    commit();
    start_estimate();
    if (!co_await begin_event_stream(upstream)) co_return AnswerOutcome{};
    std::unique_ptr<PassthroughTap> tap = codec.make_passthrough_tap(view_.include_usage);
    http::SseFrameSplitter splitter;
    std::string outgoing;
    while (true) {
      outgoing.clear();
      if (!piece) {
        if (client_left(piece.error())) {
          client_went_away();
          co_return AnswerOutcome{};
        }
        // The partial frame the upstream left behind is dropped so the client never
        // parses half an event.
        stream_failed(piece.error());
        outgoing = client_.error_frame(piece.error());
        break;
      }
      if (piece->empty()) break;
      splitter.feed(*piece);
      for (std::string_view frame = splitter.next_frame(); !frame.empty(); frame = splitter.next_frame()) {
        if (tap->on_frame(frame)) outgoing.append(frame);
        // Frames are not decoded here: a relayed event stands for about one token (streams
        // send a token or a few per event), should the stream be cut before its usage.
        ++scope_.context.stream_estimate.output_tokens;
      }
      outcome().usage = tap->usage();  // the upstream's last report, whenever the stream ends
      // A body that arrived whole ends with its last piece: it goes out with the end.
      if (upstream.finished()) break;
      if (!co_await channel().write_chunk(outgoing)) {
        client_went_away();
        co_return AnswerOutcome{};
      }
      piece = co_await upstream.read_some();
    }
    outcome().usage = tap->usage();
    if (keeps_answers()) note_upstream_answer(tap->answer_id());
    if (tap->saw_error() && outcome().error_code.empty()) {
      outcome().ending = Ending::stream_failed;
      outcome().error_code = "upstream_stream_error";
    }
    if (!co_await channel().end_stream(outgoing) && outcome().ending != Ending::stream_failed) client_went_away();
    co_return AnswerOutcome{};
  }

  // Different dialects: upstream frames -> canonical events -> the client's frames.
  net::awaitable<AnswerOutcome> translate_stream(const DialectCodec& upstream_codec, http::UpstreamResponse& upstream,
                                                 const FunctionRef<void()>& commit) {
    auto piece = co_await upstream.read_some();
    if (!piece) co_return before_commit(piece.error());
    commit();
    start_estimate();
    if (!co_await begin_event_stream(upstream)) co_return AnswerOutcome{};
    std::unique_ptr<StreamDecoder> decoder = upstream_codec.make_stream_decoder();
    std::int64_t relayed_chars = 0;
    std::unique_ptr<StreamEncoder> encoder = client_.make_stream_encoder(view_.model, view_.include_usage);
    http::SseFrameSplitter splitter;
    std::vector<canonical::StreamEvent> events;
    std::string outgoing;
    bool finished = false;
    while (!finished) {
      events.clear();
      if (!piece && client_left(piece.error())) {
        client_went_away();
        co_return AnswerOutcome{};
      }
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
        if (auto* delta = std::get_if<canonical::MessageDelta>(&event);
            delta && (delta->usage.reported || !outcome().usage.reported)) {
          outcome().usage = delta->usage;
        }
        if (auto* start = std::get_if<canonical::MessageStart>(&event); start && start->usage.reported) {
          outcome().usage = start->usage;
        }
        if (auto* text = std::get_if<canonical::BlockDelta>(&event)) {
          relayed_chars += static_cast<std::int64_t>(text->text.size());
          scope_.context.stream_estimate.output_tokens = (relayed_chars + 3) / 4;  // about four characters a token
        }
        if (auto* error = std::get_if<canonical::StreamError>(&event)) {
          stream_failed(error->error);
          finished = true;
        }
        encoder->encode(event, outgoing);
        if (std::holds_alternative<canonical::MessageStop>(event)) keep_answer(encoder->final_answer());
      }
      if (finished) break;  // the last events go out with the end of the stream
      if (!outgoing.empty() && !co_await channel().write_chunk(outgoing)) {
        client_went_away();
        co_return AnswerOutcome{};
      }
      piece = co_await upstream.read_some();
    }
    if (!co_await channel().end_stream(outgoing) && outcome().ending != Ending::stream_failed) client_went_away();
    co_return AnswerOutcome{};
  }

  RequestScope& scope_;
  const DialectCodec& client_;
  RequestView view_;
  std::optional<Result<canonical::Request>> decoded_;
  std::string expanded_body_;  // the request with those references resolved, when any were
  std::string pinned_provider_;  // the provider that keeps the response this one continues
};

}  // namespace

std::unique_ptr<OperationHandler> make_generate_operation(RequestScope& scope) {
  return std::make_unique<GenerateOperation>(scope);
}

}  // namespace switchyard::server
