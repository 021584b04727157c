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

bool is_success(const Result<std::unique_ptr<http::UpstreamResponse>>& response) {
  return response && response.value()->status() >= 200 && response.value()->status() < 300;
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

// What was read ahead of `response`, to be handed out again (then `then`, if set).
std::unique_ptr<http::UpstreamResponse> replay(std::unique_ptr<http::UpstreamResponse> response, std::string read,
                                               std::optional<GatewayError> then = std::nullopt) {
  return std::make_unique<PrefetchedResponse>(std::move(response), std::move(read), std::move(then));
}

}  // namespace

net::awaitable<void> read_to_first_token(FirstToken& result, bool stream, const ChatCodec& codec,
                                         Clock::time_point deadline) {
  std::unique_ptr<http::UpstreamResponse>& response = result.response.value();
  auto piece = co_await response->read_some();
  if (!piece) {
    result.response = piece.take_error();
    co_return;
  }
  // A whole answer's first bytes are its first token. So is the first piece of a stream
  // that shows content at once (the common case: then nothing is copied).
  std::size_t scanned = 0;
  if (!stream || piece->empty() || response->finished() || holds_first_token(*piece, scanned, codec)) {
    response->first_token_arrived();
    response = std::make_unique<PrefetchedResponse>(std::move(response), *piece);
    result.at = Clock::now();
    co_return;
  }
  // The preamble came alone: read on, keeping what came to hand it out again.
  std::string read(*piece);
  while (true) {
    auto more = co_await response->read_some();
    if (!more) {
      if (Clock::now() >= deadline || more.error().fault == Fault::cancelled) {
        result.response = more.take_error();
      } else {
        result.response = replay(std::move(response), std::move(read), more.take_error());
      }
      co_return;
    }
    read.append(*more);
    if (more->empty() || response->finished() || holds_first_token(read, scanned, codec)) break;
  }
  response->first_token_arrived();
  result.response = replay(std::move(response), std::move(read));
  result.at = Clock::now();
}

net::awaitable<FirstToken> exchange_to_first_token(const providers::Provider& provider,
                                                   const providers::ProviderCall& call, bool generation,
                                                   http::UpstreamPool& pool) {
  FirstToken result;
  Clock::time_point deadline = Clock::now() + call.timeouts.first_token;
  result.response = co_await provider.send(call, pool);
  if (!generation || !is_success(result.response)) co_return result;
  co_await read_to_first_token(result, call.stream, codec_for(call.dialect), deadline);
  co_return result;
}

}  // namespace switchyard::server
