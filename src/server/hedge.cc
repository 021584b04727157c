#include "server/hedge.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "core/log.h"

namespace switchyard::server {
namespace net = boost::asio;
using Clock = std::chrono::steady_clock;

net::awaitable<Result<std::string_view>> PrefetchedResponse::read_some() {
  if (!replayed_) {
    replayed_ = true;
    if (!first_.empty()) co_return first_;
  }
  co_return co_await inner_->read_some();
}

namespace {

struct Racer {
  explicit Racer(RaceEntry e) : entry(std::move(e)) {}
  RaceEntry entry;
  Clock::time_point started;
  Result<std::unique_ptr<http::UpstreamResponse>> response = std::unique_ptr<http::UpstreamResponse>{};
  http::UpstreamResponse* live = nullptr;  // set while its first piece is awaited, for cancel()
  std::optional<Result<std::string>> first;
  bool finished = false;
  bool cancelled = false;
  bool succeeded() const { return finished && first && first->ok(); }
};

// Shared by the racers and the caller: everything lives on one thread's io_context, so
// no locking; the shared_ptr keeps it alive for a loser that outlives the request.
struct Race : std::enable_shared_from_this<Race> {
  explicit Race(net::any_io_executor executor) : wake(executor) {}
  net::steady_timer wake;
  std::vector<std::unique_ptr<Racer>> racers;
};

// Plain pointers in, a shared_ptr taken inside: see race_first_token on g++ 12 and
// by-value coroutine parameters. The caller keeps `race` alive until this starts.
net::awaitable<void> run_racer(Race* race_ptr, Racer* racer, http::UpstreamPool& pool) {
  std::shared_ptr<Race> race = race_ptr->shared_from_this();
  auto response = co_await racer->entry.candidate->provider->send(racer->entry.call, pool);
  bool ok_status = response && response.value()->status() >= 200 && response.value()->status() < 300;
  if (ok_status && !racer->cancelled) {
    racer->live = response.value().get();
    auto piece = co_await racer->live->read_some();
    racer->live = nullptr;
    if (piece) {
      racer->first = Result<std::string>(std::string(*piece));
    } else {
      racer->first = Result<std::string>(piece.error());
    }
  }
  racer->response = std::move(response);
  racer->finished = true;
  race->wake.cancel();  // wake the caller, if it is waiting
}

void spawn(const std::shared_ptr<Race>& race, Racer* racer, http::UpstreamPool& pool, const net::any_io_executor& ex) {
  racer->started = Clock::now();
  net::co_spawn(ex, run_racer(race.get(), racer, pool), [](std::exception_ptr error) {
    if (!error) return;
    try {
      std::rethrow_exception(error);
    } catch (const std::exception& e) {
      log::error("hedged attempt failed", {{"error", e.what()}});
    }
  });
}

std::string outcome_of(const Racer& racer) {
  if (!racer.finished) return "cancelled";
  if (!racer.response) return racer.response.error().code;
  if (racer.first && !racer.first->ok()) return racer.first->error().code;
  return std::to_string(racer.response.value()->status());
}

}  // namespace

net::awaitable<RaceResult> race_first_token(RaceEntry& primary,
                                           const std::function<std::optional<RaceEntry>()>& make_backup,
                                           Millis hedge_after, http::UpstreamPool& pool) {
  auto executor = co_await net::this_coro::executor;
  auto race = std::make_shared<Race>(executor);
  race->racers.push_back(std::make_unique<Racer>(std::move(primary)));
  spawn(race, race->racers[0].get(), pool, executor);

  auto settled = [&] {
    for (const auto& racer : race->racers) {
      if (racer->succeeded()) return true;
    }
    for (const auto& racer : race->racers) {
      if (!racer->finished) return false;
    }
    return true;  // everyone finished, nobody won
  };

  race->wake.expires_after(hedge_after);
  if (!race->racers[0]->finished) co_await race->wake.async_wait(net::as_tuple(net::use_awaitable));
  if (!race->racers[0]->finished) {
    if (auto backup = make_backup()) {
      race->racers.push_back(std::make_unique<Racer>(std::move(*backup)));
      spawn(race, race->racers[1].get(), pool, executor);
    }
  }
  while (!settled()) {
    race->wake.expires_after(std::chrono::hours(24));  // woken by the next racer to finish
    co_await race->wake.async_wait(net::as_tuple(net::use_awaitable));
  }

  RaceResult result;
  std::optional<std::size_t> winner;
  for (std::size_t i = 0; i < race->racers.size(); ++i) {
    if (race->racers[i]->succeeded() && !winner) winner = i;
  }
  result.winner = winner.value_or(0);
  for (std::size_t i = 0; i < race->racers.size(); ++i) {
    Racer& racer = *race->racers[i];
    RacerOutcome outcome{racer.entry.candidate, racer.started, i == result.winner, racer.succeeded(), outcome_of(racer)};
    if (i != result.winner && !racer.finished) {
      // The loser is still waiting: stop it, and let its coroutine finish on its own.
      racer.cancelled = true;
      if (racer.live) racer.live->cancel();
    }
    result.racers.push_back(std::move(outcome));
  }
  Racer& chosen = *race->racers[result.winner];
  if (chosen.succeeded()) {
    result.response = std::unique_ptr<http::UpstreamResponse>(
        std::make_unique<PrefetchedResponse>(std::move(chosen.response.value()), std::move(chosen.first->value())));
  } else if (chosen.first && !chosen.first->ok()) {
    result.response = chosen.first->error();  // a 2xx that never produced a first token
  } else {
    result.response = std::move(chosen.response);
  }
  co_return result;
}

}  // namespace switchyard::server
