#include "server/first_token.h"

#include "http/sse.h"

namespace switchyard::server {
namespace net = boost::asio;
using Clock = std::chrono::steady_clock;

net::awaitable<Result<std::string_view>> PrefetchedResponse::read_some() {
  if (!replayed_) {
    replayed_ = true;
    if (!first_.empty()) co_return first_;
  }
  if (then_) co_return *std::exchange(then_, std::nullopt);
  co_return co_await inner_->read_some();
}

bool holds_first_token(std::string_view bytes, std::size_t& scanned, const ChatCodec& codec) {
  while (true) {
    std::size_t end = http::sse_frame_end(bytes, scanned);
    if (end == std::string_view::npos) return false;
    std::string_view frame = bytes.substr(scanned, end - scanned);
    scanned = end;
    if (!codec.is_preamble_frame(frame)) return true;
  }
}

namespace {

struct ReadAhead {
  Result<std::unique_ptr<http::UpstreamResponse>> response;
  bool first_token = false;
};

// What was read ahead of `response`, to be handed out again (then `then`, if set).
ReadAhead replay(std::unique_ptr<http::UpstreamResponse> response, std::string read, bool first_token,
                 std::optional<GatewayError> then = std::nullopt) {
  std::unique_ptr<http::UpstreamResponse> wrapped =
      std::make_unique<PrefetchedResponse>(std::move(response), std::move(read), std::move(then));
  return ReadAhead{std::move(wrapped), first_token};
}

// Reads `response` (moved from) up to its first token; what was read is handed out again.
// `deadline` is when the first_token timeout passes. (A reference: g++ 12 may destroy a
// coroutine's by-value class parameter twice.)
net::awaitable<ReadAhead> read_first_token(std::unique_ptr<http::UpstreamResponse>& response, bool stream,
                                           const ChatCodec& codec, Clock::time_point deadline) {
  auto piece = co_await response->read_some();
  if (!piece) co_return ReadAhead{piece.take_error()};
  // A whole answer's first bytes are its first token. So is the first piece of a stream
  // that shows content at once (the common case: then nothing is copied).
  std::size_t scanned = 0;
  if (!stream || piece->empty() || response->finished() || holds_first_token(*piece, scanned, codec)) {
    response->first_token_arrived();
    std::unique_ptr<http::UpstreamResponse> wrapped = std::make_unique<PrefetchedResponse>(std::move(response), *piece);
    co_return ReadAhead{std::move(wrapped), true};
  }
  std::string read(*piece);
  while (true) {
    auto more = co_await response->read_some();
    if (!more) {
      if (Clock::now() >= deadline || more.error().fault == Fault::cancelled) co_return ReadAhead{more.take_error()};
      co_return replay(std::move(response), std::move(read), false, more.take_error());
    }
    read.append(*more);
    if (more->empty() || response->finished() || holds_first_token(read, scanned, codec)) break;
  }
  response->first_token_arrived();
  co_return replay(std::move(response), std::move(read), true);
}

}  // namespace

net::awaitable<FirstToken> exchange_to_first_token(const providers::Provider& provider,
                                                   const providers::ProviderCall& call, bool generation,
                                                   http::UpstreamPool& pool) {
  FirstToken result;
  Clock::time_point deadline = Clock::now() + call.timeouts.first_token;
  result.response = co_await provider.send(call, pool);
  if (!generation || !result.response) co_return result;
  int status = result.response.value()->status();
  if (status < 200 || status >= 300) co_return result;
  ReadAhead ahead = co_await read_first_token(result.response.value(), call.stream, codec_for(provider.dialect()),
                                              deadline);
  result.response = std::move(ahead.response);
  if (ahead.first_token) result.at = Clock::now();
  co_return result;
}

}  // namespace switchyard::server
