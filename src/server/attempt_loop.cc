#include "server/attempt_loop.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/container/small_vector.hpp>
#include <charconv>
#include <random>

#include "server/hedge.h"
#include "server/upstream_relay.h"

namespace switchyard::server {
namespace net = boost::asio;
using Clock = std::chrono::steady_clock;
using std::chrono::duration_cast;
using std::chrono::microseconds;

namespace {

// The upstream's own advice on when to come back, from retry-after-ms or retry-after.
std::optional<Millis> retry_after(const http::UpstreamResponse& response) {
  auto parse = [](std::string_view text) -> std::optional<long long> {
    long long value = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc{} || value < 0) return std::nullopt;
    return value;
  };
  if (auto ms = parse(response.header("retry-after-ms"))) return Millis(*ms);
  if (auto seconds = parse(response.header("retry-after"))) return Millis(*seconds * 1000);
  return std::nullopt;
}

double jitter() {
  thread_local std::mt19937_64 random{std::random_device{}()};
  return std::uniform_real_distribution<double>(0.0, 1.0)(random);
}

void log_attempt(RequestContext& context, const routing::Candidate& candidate, std::string_view outcome) {
  if (!context.attempt_log.empty()) context.attempt_log += ',';
  context.attempt_log += candidate.label;
  context.attempt_log += ':';
  context.attempt_log += outcome;
}

}  // namespace

GatewayError unknown_model(const std::string& model) {
  return make_error(ErrorKind::not_found,
                    "The model '" + model + "' does not exist or is not configured on this gateway.", "model_not_found",
                    "model");
}

Millis backoff_delay(int round, Millis initial, Millis max, double jitter01) {
  double ceiling = static_cast<double>(initial.count());
  for (int i = 1; i < round && ceiling < static_cast<double>(max.count()); ++i) ceiling *= 2;
  ceiling = std::min(ceiling, static_cast<double>(max.count()));
  return Millis(static_cast<Millis::rep>(ceiling * (0.5 + 0.5 * jitter01)));
}

net::awaitable<void> run_attempts(const Runtime& runtime, http::Exchange& exchange, RequestContext& context,
                                  const DialectCodec& client, const AttemptSpec& spec) {
  routing::Plan plan = runtime.router.plan(spec.model, spec.extra_models);
  if (!plan.known) {
    co_await send_error(exchange, context, client, unknown_model(spec.model));
    co_return;
  }
  if (plan.candidates.empty() && plan.rate_limited && !plan.earliest_recovery) {
    GatewayError error = make_error(ErrorKind::rate_limited,
                                    "every deployment of '" + spec.model + "' is at its requests- or tokens-per-minute limit",
                                    "deployment_rate_limited");
    auto now = std::chrono::system_clock::now().time_since_epoch();
    error.retry_after = std::to_string(60 - std::chrono::duration_cast<std::chrono::seconds>(now).count() % 60);
    co_await send_error(exchange, context, client, error);
    co_return;
  }
  if (plan.candidates.empty()) {
    GatewayError error = make_error(ErrorKind::unavailable,
                                    "every deployment of '" + spec.model + "' is cooling down after repeated failures",
                                    "deployments_cooling_down");
    if (plan.earliest_recovery) {
      auto wait = duration_cast<std::chrono::seconds>(*plan.earliest_recovery - Clock::now()).count() + 1;
      error.retry_after = std::to_string(std::max<long long>(1, wait));
    }
    co_await send_error(exchange, context, client, error);
    co_return;
  }

  const routing::RetryPolicy& retry = plan.retry;
  int max_attempts = retry.max_attempts > 0 ? retry.max_attempts : static_cast<int>(plan.candidates.size());
  // Unset until an attempt fails: then no deployment supported the operation.
  std::optional<GatewayError> last_error;
  std::optional<Millis> last_retry_after;
  std::optional<UpstreamFailure> last_failure;  // set when the last failure was an upstream answer
  bool last_retryable = false;
  const routing::Candidate* last_candidate = nullptr;  // the deployment the final answer is about
  bool refused_admission = false;
  int attempts = 0;
  int round = 0;
  std::optional<net::steady_timer> backoff_timer;  // made for the first retry round

  while (attempts < max_attempts) {
    if (round > 0) {
      // Another round over the same deployments: only for failures worth retrying, and
      // only if waiting as the upstream asks fits the policy.
      if (!last_retryable) break;
      Millis delay = backoff_delay(round, retry.initial_backoff, retry.max_backoff, jitter());
      if (last_retry_after) {
        if (*last_retry_after > retry.max_backoff) break;  // the client is better placed to wait
        delay = std::max(delay, *last_retry_after);
      }
      if (!backoff_timer) backoff_timer.emplace(co_await net::this_coro::executor);
      backoff_timer->expires_after(delay);
      co_await backoff_timer->async_wait(net::as_tuple(net::use_awaitable));
      context.waited += delay;
    }
    ++round;
    bool tried_any = false;
    // A hedge may try a later candidate early. Plans are short: on the stack, as a rule.
    boost::container::small_vector<bool, 8> tried(plan.candidates.size(), false);
    for (const routing::Candidate& candidate : plan.candidates) {
      if (attempts >= max_attempts) break;
      if (tried[static_cast<std::size_t>(&candidate - plan.candidates.data())]) continue;
      const providers::Provider& provider = *candidate.provider;
      if (!provider.supports(spec.operation)) continue;
      bool probe = false;
      if (!candidate.health->admit(Clock::now(), &probe)) {  // cooling down, or a probe is out
        refused_admission = true;
        continue;
      }
      tried_any = true;
      const DialectCodec& upstream_codec = codec_for(provider.dialect());
      ++attempts;
      context.attempts = attempts;
      context.provider = provider.name();
      context.upstream_model = candidate.model;
      routing::InFlight in_flight(candidate.health, probe);
      last_candidate = &candidate;
      candidate.health->record_request(Clock::now());

      UpstreamBody built = spec.build_body(candidate, upstream_codec);
      if (!built.body) {
        last_error = built.body.error();
        last_failure.reset();
        last_retryable = false;
        log_attempt(context, candidate, "unsupported");
        if (built.fatal) {
          co_await send_error(exchange, context, client, *last_error);
          co_return;
        }
        continue;
      }
      providers::ProviderCall call;
      call.operation = spec.operation;
      call.model = candidate.model;
      call.stream = spec.stream;
      call.body = std::move(built.body.value());
      call.timeouts = candidate.timeouts.value_or(provider.timeouts().value_or(runtime.timeouts));

      Clock::time_point started = Clock::now();
      const routing::Candidate* chosen = &candidate;
      Result<std::unique_ptr<http::UpstreamResponse>> upstream = std::unique_ptr<http::UpstreamResponse>{};
      std::unique_ptr<routing::InFlight> backup_in_flight;
      bool prefetched = false;  // the hedge already read the winner's first piece
      if (retry.hedge_after.count() > 0 && attempts == 1 && spec.operation == providers::Operation::generate) {
        std::size_t index = static_cast<std::size_t>(&candidate - plan.candidates.data());
        std::function<std::optional<RaceEntry>()> make_backup = [&]() -> std::optional<RaceEntry> {
          for (std::size_t j = index + 1; j < plan.candidates.size() && attempts < max_attempts; ++j) {
            const routing::Candidate& next = plan.candidates[j];
            if (!next.provider->supports(spec.operation)) continue;
            bool next_probe = false;
            if (!next.health->admit(Clock::now(), &next_probe)) continue;
            UpstreamBody next_body = spec.build_body(next, codec_for(next.provider->dialect()));
            if (!next_body.body) {
              if (next_probe) next.health->abandon_probe();
              continue;
            }
            tried[j] = true;
            context.attempts = ++attempts;
            backup_in_flight = std::make_unique<routing::InFlight>(next.health, next_probe);
            next.health->record_request(Clock::now());
            providers::ProviderCall next_call;
            next_call.operation = spec.operation;
            next_call.model = next.model;
            next_call.stream = spec.stream;
            next_call.body = std::move(next_body.body.value());
            next_call.timeouts = next.timeouts.value_or(next.provider->timeouts().value_or(runtime.timeouts));
            return RaceEntry{&next, std::move(next_call), next_probe};
          }
          return std::nullopt;
        };
        RaceEntry primary{&candidate, std::move(call), probe};
        RaceResult race = co_await race_first_token(primary, make_backup, retry.hedge_after, exchange.upstreams);
        for (const RacerOutcome& racer : race.racers) {
          if (racer.won) continue;
          log_attempt(context, *racer.candidate, racer.outcome == "cancelled" ? "hedge-lost" : racer.outcome);
          if (racer.outcome != "cancelled" && !racer.produced_token) racer.candidate->health->on_failure(Clock::now());
        }
        chosen = race.racers[race.winner].candidate;
        started = race.racers[race.winner].started;
        upstream = std::move(race.response);
        prefetched = race.racers[race.winner].produced_token;
      } else {
        upstream = co_await provider.send(call, exchange.upstreams);
      }
      const routing::Candidate& attempt = *chosen;
      const DialectCodec& attempt_codec = codec_for(attempt.provider->dialect());
      if (chosen != &candidate) {  // the hedge's backup won
        context.provider = attempt.provider->name();
        context.upstream_model = attempt.model;
        last_candidate = chosen;
      }
      if (!upstream) {
        context.upstream_time += Clock::now() - started;
        last_error = upstream.error();
        // Running out of descriptors is the gateway's own state, not the deployment's.
        if (last_error->code != "gateway_out_of_descriptors") attempt.health->on_failure(Clock::now());
        last_failure.reset();
        last_retryable = true;
        last_retry_after.reset();
        log_attempt(context, attempt, last_error->code);
        continue;
      }
      http::UpstreamResponse& response = *upstream.value();
      int status = response.status();
      context.upstream_status = status;
      if (status < 200 || status >= 300) {
        bool retryable = is_retryable_status(status);
        log_attempt(context, attempt, std::to_string(status));
        if (retryable) attempt.health->on_failure(Clock::now());
        bool more_to_try = attempts < max_attempts;
        if (retryable && more_to_try) {
          // Keep the answer: it is what the client gets if nothing does better.
          last_retry_after = retry_after(response);
          auto captured = co_await capture_failure(response, attempt_codec);
          context.upstream_time += Clock::now() - started;
          last_retryable = true;
          if (captured) {
            last_failure = std::move(captured.value());
          } else {
            last_failure.reset();
            last_error = captured.error();
          }
          continue;
        }
        if (!retryable) attempt.health->on_success(duration_cast<microseconds>(Clock::now() - started));
        context.set_routing_headers(exchange.response, attempt.label, started);
        co_await relay_upstream_error(exchange, context, client, attempt_codec, response);
        context.upstream_time += Clock::now() - started;
        co_return;
      }
      // A generation's first body piece is its first token: read it before the commit
      // point, so an upstream that never produces one can still be replaced, and give the
      // deployment its verdict right then rather than after a stream that may run minutes
      // (a half-open probe would hold the deployment that long otherwise).
      bool verdict_given = false;
      if (spec.operation == providers::Operation::generate) {
        if (!prefetched) {
          auto piece = co_await response.read_some();
          if (!piece) {
            context.upstream_time += Clock::now() - started;
            attempt.health->on_failure(Clock::now());
            last_error = piece.error();
            last_failure.reset();
            last_retryable = true;
            last_retry_after.reset();
            log_attempt(context, attempt, last_error->code);
            continue;
          }
          upstream.value() = std::make_unique<PrefetchedResponse>(std::move(upstream.value()), *piece);
        }
        attempt.health->on_success(duration_cast<microseconds>(Clock::now() - started));
        verdict_given = true;
      }
      context.set_routing_headers(exchange.response, attempt.label, started);
      AnswerOutcome outcome = co_await spec.answer(attempt_codec, *upstream.value());
      context.upstream_time += Clock::now() - started;
      if (outcome.before_commit) {
        if (!verdict_given) attempt.health->on_failure(Clock::now());
        last_error = *outcome.before_commit;
        last_failure.reset();
        last_retryable = true;
        last_retry_after.reset();
        log_attempt(context, attempt, last_error->code);
        continue;
      }
      if (!verdict_given) attempt.health->on_success(duration_cast<microseconds>(Clock::now() - started));
      attempt.health->record_tokens(context.usage.input_tokens + context.usage.output_tokens, Clock::now());
      log_attempt(context, attempt, std::to_string(status));
      co_return;
    }
    if (!tried_any) break;
  }
  if (attempts == 0 && refused_admission) {
    // Every candidate refused admission: half-open with its probe still out.
    GatewayError error = make_error(ErrorKind::unavailable,
                                    "every deployment of '" + spec.model + "' is recovering from repeated failures",
                                    "deployments_cooling_down");
    error.retry_after = "1";
    co_await send_error(exchange, context, client, error);
    co_return;
  }
  if (last_candidate) context.set_routing_headers(exchange.response, last_candidate->label);
  if (last_failure) {
    co_await relay_failure(exchange, context, client, *last_failure);
  } else {
    if (!last_error) {
      last_error = make_error(ErrorKind::invalid_request, "no deployment of '" + spec.model + "' supports this operation",
                              "unsupported_operation", "model");
    }
    co_await send_error(exchange, context, client, *last_error);
  }
}

}  // namespace switchyard::server
