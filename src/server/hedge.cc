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

namespace {

struct Racer {
  explicit Racer(Contender c) : contender(std::move(c)) {}
  Contender contender;
  FirstToken first;
  bool finished = false;
  http::Interrupt interrupt;  // stops this racer's exchange: it lost, or the client left
  bool succeeded() const { return finished && first.at.has_value(); }
};

// Shared by the racers and the caller: everything lives on one thread's io_context, so
// no locking; the shared_ptr keeps it alive for a loser that unwinds after the race.
struct Race : std::enable_shared_from_this<Race> {
  Race(net::any_io_executor executor, std::shared_ptr<const void> keep) : wake(executor), keep_alive(std::move(keep)) {}
  net::steady_timer wake;
  std::vector<std::unique_ptr<Racer>> racers;
  std::shared_ptr<const void> keep_alive;  // the providers and health the racers use
};

void cancel_timer(void* timer) { static_cast<net::steady_timer*>(timer)->cancel(); }

// Plain pointers in, a shared_ptr taken inside: see race_first_token on g++ 12 and
// by-value coroutine parameters. The caller keeps `race` alive until this starts.
net::awaitable<void> run_racer(Race* race_ptr, Racer* racer, http::UpstreamPool& pool) {
  std::shared_ptr<Race> race = race_ptr->shared_from_this();
  const routing::Attempt& attempt = racer->contender.attempt;
  racer->first = co_await exchange_to_first_token(attempt.provider(), racer->contender.call, true, pool);
  racer->finished = true;
  race->wake.cancel();  // wake the caller, if it is waiting
}

void spawn(const std::shared_ptr<Race>& race, Racer* racer, http::UpstreamPool& pool) {
  racer->contender.attempt.restart_clock(std::chrono::steady_clock::now());
  racer->contender.call.interrupt = &racer->interrupt;
  net::co_spawn(race->wake.get_executor(), run_racer(race.get(), racer, pool), [](std::exception_ptr error) {
    if (!error) return;
    try {
      std::rethrow_exception(error);
    } catch (const std::exception& e) {
      log::error("hedged attempt failed", {{"error", e.what()}});
    }
  });
}

std::string outcome_of(const Racer& racer) {
  const auto& response = racer.first.response;
  if (!response) return response.error().code;
  return std::to_string(response.value()->status());
}

}  // namespace

net::awaitable<RaceResult> race_first_token(Contender& primary, const FunctionRef<std::optional<Contender>()>& backup,
                                           Millis hedge_after, http::UpstreamPool& pool, http::Interrupt& interrupt,
                                           const std::shared_ptr<const void>& keep_alive) {
  RaceResult result;
  if (interrupt.interrupted()) {  // the client left before anything started
    result.cancelled = true;
    co_return result;
  }
  auto race = std::make_shared<Race>(co_await net::this_coro::executor, keep_alive);
  race->racers.push_back(std::make_unique<Racer>(std::move(primary)));
  spawn(race, race->racers[0].get(), pool);

  // Over when someone has a first token, or everyone finished without one.
  auto settled = [&] {
    bool all_finished = true;
    for (const auto& racer : race->racers) {
      if (racer->succeeded()) return true;
      all_finished = all_finished && racer->finished;
    }
    return all_finished;
  };
  // Each wait ends when a racer finishes, when it times out, or when the client leaves.
  auto wait = [&](Clock::duration timeout) -> net::awaitable<void> {
    race->wake.expires_after(timeout);
    http::Interrupt::Hook hook(&interrupt, &race->wake, cancel_timer);
    co_await race->wake.async_wait(net::as_tuple(net::use_awaitable));
  };

  if (!race->racers[0]->finished) co_await wait(hedge_after);
  if (!interrupt.interrupted() && !race->racers[0]->finished) {
    if (auto contender = backup()) {
      race->racers.push_back(std::make_unique<Racer>(std::move(*contender)));
      spawn(race, race->racers[1].get(), pool);
    }
  }
  while (!interrupt.interrupted() && !settled()) co_await wait(std::chrono::hours(24));

  result.cancelled = interrupt.interrupted();
  std::size_t winner = 0;
  for (std::size_t i = 0; i < race->racers.size(); ++i) {
    if (race->racers[i]->succeeded()) {
      winner = i;
      break;
    }
  }
  for (std::size_t i = 0; i < race->racers.size(); ++i) {
    Racer& racer = *race->racers[i];
    if (i == winner && !result.cancelled) continue;
    Loser loser{racer.contender.attempt.label(), std::nullopt, racer.succeeded(), {}, Fault::deployment};
    if (racer.finished) {
      loser.outcome = outcome_of(racer);
      if (!racer.first.response) loser.fault = racer.first.response.error().fault;
      loser.finished.emplace(std::move(racer.contender.attempt));
    } else {
      // Still connecting, waiting or reading its preamble: its connection is closed now.
      racer.interrupt.interrupt();
    }
    result.losers.push_back(std::move(loser));
  }
  if (!result.cancelled) {
    Racer& chosen = *race->racers[winner];
    if (chosen.first.response) chosen.first.response.value()->interrupt_with(&interrupt);  // read on by the request
    result.winner.emplace(Contested{std::move(chosen.contender.attempt), std::move(chosen.first)});
  }
  co_return result;
}

}  // namespace switchyard::server
