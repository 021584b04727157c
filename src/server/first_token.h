// One attempt's exchange with its upstream, up to its first token: the request sent, the
// response head read and, for a 2xx generation, the body read until the first token. For a
// stream that is its first content (a text, tool-argument or thinking delta, or whatever
// ends it): the preamble an upstream sends at once (a role-only chunk, message_start,
// content_block_start, pings) is read ahead and replayed, and does not count. The attempt
// loop and the racers of a hedge both go through here, so "first token" means the same
// for hedging, the first_token timeout, time to first token and latency-based routing.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "core/result.h"
#include "dialects/codec.h"
#include "http/upstream.h"
#include "providers/provider.h"

namespace switchyard::server {

struct FirstToken {
  Result<std::unique_ptr<http::UpstreamResponse>> response = std::unique_ptr<http::UpstreamResponse>{};
  // When the first token was read (a 2xx generation that produced one); the response then
  // hands out what was read ahead first.
  std::optional<std::chrono::steady_clock::time_point> at;
};

// Whether the exchange got a 2xx answer.
bool is_success(const Result<std::unique_ptr<http::UpstreamResponse>>& response);

// Reads a 2xx generation's response (in `result`) up to its first token, setting `at` when
// it came (see exchange_to_first_token). `deadline` is when the first_token timeout passes.
boost::asio::awaitable<void> read_to_first_token(FirstToken& result, bool stream, const ChatCodec& codec,
                                                 std::chrono::steady_clock::time_point deadline);

// Sends `call` (which must outlive the exchange) and reads up to the first token when
// `generation` and the answer is a 2xx. No first token within the first_token timeout is
// the response's error, and so is a failure before any of the body came: another
// deployment may still answer. A stream that broke after its preamble (stalled past the
// idle timeout, cut off) is handed out as far as it came, then its error, to be relayed
// as a stream that failed (`at` stays unset). Cancelling the calling coroutine closes the
// upstream connection at any stage.
boost::asio::awaitable<FirstToken> exchange_to_first_token(const providers::Provider& provider,
                                                           const providers::ProviderCall& call, bool generation,
                                                           http::UpstreamPool& pool);

// Whether `bytes`, a stream from its start, holds a complete frame past the preamble.
// `scanned` is where the frames not yet looked at begin; it moves past those looked at.
bool holds_first_token(std::string_view bytes, std::size_t& scanned, const ChatCodec& codec);

// Wraps a response whose first body piece (or pieces) were already read, to hand them out
// again before reading on.
class PrefetchedResponse final : public http::UpstreamResponse {
 public:
  // `first` is what `inner` handed out last, still in its buffer: valid until inner's next
  // read, which comes only after it has been handed out again. Not copied.
  PrefetchedResponse(std::unique_ptr<http::UpstreamResponse> inner, std::string_view first)
      : inner_(std::move(inner)), first_(first) {}
  // Pieces kept apart from `inner` (several reads' worth); `then`, if set, is what the read
  // after them returns instead of reading on (the failure that ended the read ahead).
  PrefetchedResponse(std::unique_ptr<http::UpstreamResponse> inner, std::string first,
                     std::optional<GatewayError> then = std::nullopt)
      : inner_(std::move(inner)), owned_first_(std::move(first)), first_(owned_first_), then_(std::move(then)) {}
  PrefetchedResponse(const PrefetchedResponse&) = delete;
  PrefetchedResponse& operator=(const PrefetchedResponse&) = delete;
  int status() const override { return inner_->status(); }
  std::string_view header(std::string_view name) const override { return inner_->header(name); }
  void for_each_header(const std::function<void(std::string_view, std::string_view)>& visit) const override {
    inner_->for_each_header(visit);
  }
  boost::asio::awaitable<Result<std::string_view>> read_some() override;
  bool finished() const override { return replayed_ && !then_ && inner_->finished(); }
  void cancel() override { inner_->cancel(); }
  void first_token_arrived() override { inner_->first_token_arrived(); }
  void interrupt_with(http::Interrupt* interrupt) override { inner_->interrupt_with(interrupt); }

 private:
  std::unique_ptr<http::UpstreamResponse> inner_;
  std::string owned_first_;
  std::string_view first_;
  std::optional<GatewayError> then_;
  bool replayed_ = false;
};

}  // namespace switchyard::server
