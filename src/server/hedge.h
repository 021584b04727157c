// Hedged requests: when the first attempt has produced no first token after
// `hedge_after`, the next candidate is started in parallel; whichever produces a first
// token first wins, and the other is cancelled. This trims the slow tail of time to first
// token at the price of some duplicate upstream work on the slow requests only.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include "http/upstream.h"
#include "providers/provider.h"
#include "routing/router.h"

namespace switchyard::server {

struct RaceEntry {
  const routing::Candidate* candidate = nullptr;
  providers::ProviderCall call;
  bool probe = false;
};

// How one racer ended, for health accounting and the attempt log.
struct RacerOutcome {
  const routing::Candidate* candidate = nullptr;
  std::chrono::steady_clock::time_point started;
  bool won = false;
  bool produced_token = false;
  std::string outcome;  // "200", "503", an error code, or "cancelled"
};

struct RaceResult {
  std::size_t winner = 0;  // index into `racers`
  // The winner's response; when it produced a first token, that piece is replayed by the
  // first read_some. For a race with no success, the primary's result.
  Result<std::unique_ptr<http::UpstreamResponse>> response = std::unique_ptr<http::UpstreamResponse>{};
  std::vector<RacerOutcome> racers;
};

// Runs `primary` (moved from), and `make_backup()`'s entry too once `hedge_after` passed
// without a first token from the primary (no backup: nothing is started). 2xx answers are
// read up to their first body piece before being judged. Class-type arguments are taken by
// reference: g++ 12 can destroy a coroutine's by-value class parameter twice.
boost::asio::awaitable<RaceResult> race_first_token(RaceEntry& primary,
                                                   const std::function<std::optional<RaceEntry>()>& make_backup,
                                                   Millis hedge_after, http::UpstreamPool& pool);

// Wraps a response whose first body piece was already read, to hand it out again.
class PrefetchedResponse final : public http::UpstreamResponse {
 public:
  // `first` is what `inner` handed out last, still in its buffer: valid until inner's next
  // read, which comes only after it has been handed out again. Not copied.
  PrefetchedResponse(std::unique_ptr<http::UpstreamResponse> inner, std::string_view first)
      : inner_(std::move(inner)), first_(first) {}
  // A first piece kept apart from `inner` (a hedge's racer read it).
  PrefetchedResponse(std::unique_ptr<http::UpstreamResponse> inner, std::string first)
      : inner_(std::move(inner)), owned_first_(std::move(first)), first_(owned_first_) {}
  PrefetchedResponse(const PrefetchedResponse&) = delete;
  PrefetchedResponse& operator=(const PrefetchedResponse&) = delete;
  int status() const override { return inner_->status(); }
  std::string_view header(std::string_view name) const override { return inner_->header(name); }
  void for_each_header(const std::function<void(std::string_view, std::string_view)>& visit) const override {
    inner_->for_each_header(visit);
  }
  boost::asio::awaitable<Result<std::string_view>> read_some() override;
  bool finished() const override { return replayed_ && inner_->finished(); }
  void cancel() override { inner_->cancel(); }

 private:
  std::unique_ptr<http::UpstreamResponse> inner_;
  std::string owned_first_;
  std::string_view first_;
  bool replayed_ = false;
};

}  // namespace switchyard::server
