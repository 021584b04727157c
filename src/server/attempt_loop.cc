#include "server/attempt_loop.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <algorithm>
#include <random>

#include "server/hedge.h"
#include "server/upstream_relay.h"

namespace switchyard::server {
namespace net = boost::asio;
using Clock = std::chrono::steady_clock;
using routing::Verdict;
using std::chrono::duration_cast;
using std::chrono::microseconds;

namespace {

// The plan's candidates of `provider` alone, when the request must go back to it and some are
// there; the plan as it is otherwise (another account will say it holds no such state).
routing::Plan pinned(routing::Plan plan, std::string_view provider) {
  if (provider.empty()) return plan;
  auto elsewhere = [&](const routing::Candidate& candidate) { return candidate.provider->name() != provider; };
  if (std::all_of(plan.candidates.begin(), plan.candidates.end(), elsewhere)) return plan;
  std::erase_if(plan.candidates, elsewhere);
  return plan;
}

double jitter() {
  thread_local std::mt19937_64 random{std::random_device{}()};
  return std::uniform_real_distribution<double>(0.0, 1.0)(random);
}

class AttemptLoop {
 public:
  AttemptLoop(RequestScope& scope, OperationHandler& operation, const ParsedRequest& request)
      : scope_(scope), context_(scope.context), operation_(operation), request_(request),
        plan_(pinned(scope.runtime->router.plan(request.model, request.fallback_models), operation.pinned_provider()),
              operation.upstream_operation(),
              request.model) {
    context_.outcome.model_is_alias = scope.runtime->router.is_alias(request.model);
  }

  net::awaitable<void> run() {
    using Kind = routing::AttemptPlan::Step::Kind;
    while (true) {
      // The client may have left while nothing here was waiting on it.
      if (exchange().response.client_gone()) {
        client_left();
        co_return;
      }
      routing::AttemptPlan::Step step = plan_.next(Clock::now(), jitter);
      if (step.kind == Kind::done) break;
      if (step.kind == Kind::wait) {
        co_await pause(step.delay);
        continue;
      }
      std::optional<Contender> contender = prepare(std::move(*step.attempt), false);
      if (fatal_error_) {
        co_await send_error(exchange(), context_, scope_.client, *fatal_error_);
        co_return;
      }
      if (!contender) continue;
      // Sent and read to its first token, alone or racing a backup.
      std::optional<Contested> tried;
      if (plan_.hedges()) {
        tried = co_await race(*contender);
      } else {
        // A stream is read to its first token before anything goes to the client; a whole
        // answer is simply read by respond(), the upstream's own first_token timeout
        // bounding the wait for its first bytes.
        contender->attempt.restart_clock(Clock::now());
        Clock::time_point deadline = Clock::now() + contender->call.timeouts.first_token;
        FirstToken first;
        first.response = co_await contender->attempt.provider().send(contender->call, exchange().upstreams);
        if (generation() && request_.stream && is_success(first.response)) {
          co_await read_to_first_token(first, true, codec_for(contender->call.dialect), deadline);
        }
        tried.emplace(Contested{std::move(contender->attempt), std::move(first)});
      }
      if (!tried) continue;
      bool answered = co_await judge(*tried);
      if (answered) co_return;
    }
    co_await answer_with_last_failure();
  }

  bool generation() const { return operation_.upstream_operation() == providers::Operation::generate; }
  http::Exchange& exchange() { return scope_.exchange; }

  // The deployment the request is at now: the access log and the routing headers say so.
  void at(const routing::Attempt& attempt) {
    context_.outcome.attempts = plan_.attempts();
    context_.outcome.provider = attempt.provider().name();
    context_.outcome.upstream_model = attempt.candidate().model;
    context_.price = attempt.candidate().price;
    context_.outcome.deployment_configured = !attempt.candidate().health_owner;
    context_.outcome.provider_system = attempt.provider().system_name();
    last_label_ = attempt.label();
  }

  net::awaitable<void> pause(Millis delay) {
    if (!backoff_) backoff_.emplace(co_await net::this_coro::executor);
    backoff_->expires_after(delay);
    http::Interrupt::Hook hook(&exchange().interrupt, &*backoff_, [](void* timer) {
      static_cast<net::steady_timer*>(timer)->cancel();  // the client left
    });
    co_await backoff_->async_wait(net::as_tuple(net::use_awaitable));
    context_.waited += delay;
  }

  // The attempt's call, its body built for the candidate. A body that cannot be built is
  // the candidate's failure, or the request's when the client's own request is bad (then
  // answered here, unless only a hedge's backup was asked for).
  std::optional<Contender> prepare(routing::Attempt attempt, bool backup) {
    at(attempt);
    const routing::Candidate& candidate = attempt.candidate();
    auto body = operation_.build_body(candidate, codec_for(candidate.dialect));
    if (!body) {
      bool fatal = body.error().fault == Fault::request && !backup;
      plan_.report(attempt, Verdict::failure(fatal ? Fault::request : Fault::candidate), Clock::now());
      context_.log_attempt(attempt.label(), "unsupported");
      last_ = Failure{body.error(), std::nullopt};
      if (fatal) fatal_error_ = body.error();
      return std::nullopt;
    }
    providers::ProviderCall call;
    call.operation = operation_.upstream_operation();
    call.dialect = candidate.dialect;
    call.model = candidate.model;
    call.stream = request_.stream;
    call.body = std::move(body.value());
    call.timeouts = candidate.timeouts.value_or(candidate.provider->timeouts().value_or(scope_.runtime->timeouts));
    call.first_token_by_caller = generation() && request_.stream;
    call.interrupt = &exchange().interrupt;
    call.traceparent = context_.attempt_traceparent(attempt.label());
    return Contender{std::move(attempt), std::move(call)};
  }

  // Races the attempt against the plan's backup (hedging); none when the client left meanwhile.
  net::awaitable<std::optional<Contested>> race(Contender& contender) {
    auto backup = [this]() -> std::optional<Contender> {
      while (auto next = plan_.backup(Clock::now())) {
        if (auto contender = prepare(std::move(*next), true)) return contender;
      }
      return std::nullopt;
    };
    RaceResult race = co_await race_first_token(contender, backup, plan_.hedge_after(), exchange().upstreams,
                                                exchange().interrupt, scope_.runtime);
    for (Loser& loser : race.losers) {
      context_.log_attempt(loser.label, loser.finished ? std::string_view(loser.outcome) : "hedge-lost");
      if (loser.finished && !loser.produced_token) plan_.report(*loser.finished, Verdict::failure(loser.fault), Clock::now());
    }
    context_.outcome.attempts = plan_.attempts();
    if (!race.losers.empty()) context_.outcome.hedged = true;  // a backup ran
    if (!race.winner) co_return std::nullopt;
    co_return std::move(race.winner);
  }

  // Judges one attempt and answers from it when it can: true once the client is answered.
  net::awaitable<bool> judge(Contested& tried) {
    routing::Attempt& attempt = tried.attempt;
    at(attempt);
    const DialectCodec& upstream = codec_for(attempt.candidate().dialect);
    if (!tried.first.response) {
      context_.upstream_time += Clock::now() - attempt.started();
      const GatewayError& error = tried.first.response.error();
      plan_.report(attempt, Verdict::failure(error.fault), Clock::now());
      context_.log_attempt(attempt.label(), error.code);
      last_ = Failure{error, std::nullopt};
      co_return false;
    }
    http::UpstreamResponse& response = *tried.first.response.value();
    int status = response.status();
    context_.outcome.upstream_status = status;
    if (status < 200 || status >= 300) co_return co_await judge_error_answer(attempt, upstream, response);

    // The verdict comes with the first token: a stream's when it was read ahead, a whole
    // answer's when it is about to go out (before the client holds it), rather than after
    // a stream that may run minutes (a half-open probe would hold the deployment that long).
    bool stream_without_token = generation() && request_.stream && !tried.first.at;
    auto succeeded = [&] {
      auto now = Clock::now();
      if (!context_.first_token_at) context_.first_token_at = now;
      plan_.report(attempt, Verdict::success(duration_cast<microseconds>(now - attempt.started())), now);
    };
    auto commit = [&] {
      if (!stream_without_token) succeeded();  // one broken after its preamble is judged at its end
    };
    if (tried.first.at) {
      context_.first_token_at = *tried.first.at;
      plan_.report(attempt, Verdict::success(duration_cast<microseconds>(*tried.first.at - attempt.started())),
                   Clock::now());
    }
    context_.set_routing_headers(exchange().response, attempt.label(), attempt.started());
    AnswerOutcome outcome = co_await operation_.respond(upstream, response, commit);
    context_.upstream_time += Clock::now() - attempt.started();
    if (outcome.before_commit) {
      plan_.report(attempt, Verdict::failure(outcome.before_commit->fault), Clock::now());
      context_.log_attempt(attempt.label(), outcome.before_commit->code);
      last_ = Failure{*outcome.before_commit, std::nullopt};
      co_return false;
    }
    if (stream_without_token && context_.outcome.ending == Ending::stream_failed) {
      // A stream that broke after its preamble, before any token: relayed as it came, but
      // the deployment failed.
      plan_.report(attempt, Verdict::failure(Fault::deployment), Clock::now());
      context_.log_attempt(attempt.label(), context_.outcome.error_code);
      co_return true;
    }
    succeeded();  // no-op for a deployment judged already
    const Usage& usage = context_.outcome.usage;
    plan_.record_tokens(attempt, usage.input_tokens + usage.output_tokens, Clock::now());
    context_.log_attempt(attempt.label(), std::to_string(status));
    co_return true;
  }

  // An upstream's error answer: kept while another attempt may do better, else relayed.
  net::awaitable<bool> judge_error_answer(routing::Attempt& attempt, const DialectCodec& upstream,
                                          http::UpstreamResponse& response) {
    int status = response.status();
    context_.log_attempt(attempt.label(), std::to_string(status));
    auto started = attempt.started();
    if (is_retryable_status(status)) {
      plan_.report(attempt, Verdict::failure(Fault::deployment, retry_after(response)), Clock::now());
    } else {
      // The upstream judged the request, not itself: the deployment is fine.
      plan_.report(attempt, Verdict::answer(duration_cast<microseconds>(Clock::now() - started)), Clock::now());
    }
    auto captured = co_await capture_failure(response, upstream);
    context_.upstream_time += Clock::now() - started;
    if (exchange().response.client_gone()) co_return false;  // nobody to relay it to
    if (is_retryable_status(status) && plan_.more_attempts()) {
      last_ = captured ? Failure{std::nullopt, std::move(captured.value())} : Failure{captured.error(), std::nullopt};
      co_return false;
    }
    context_.set_routing_headers(exchange().response, attempt.label());
    if (captured) {
      co_await relay_failure(exchange(), context_, scope_.client, captured.value());
    } else {
      co_await send_error(exchange(), context_, scope_.client, captured.error());
    }
    co_return true;
  }

  net::awaitable<void> answer_with_last_failure() {
    if (auto refusal = plan_.refusal(Clock::now())) {
      co_await send_error(exchange(), context_, scope_.client, *refusal);
      co_return;
    }
    if (!last_label_.empty()) context_.set_routing_headers(exchange().response, last_label_);
    if (last_.answer) {
      co_await relay_failure(exchange(), context_, scope_.client, *last_.answer);
    } else {
      co_await send_error(exchange(), context_, scope_.client, last_.error.value_or(plan_.unsupported()));
    }
  }

  // The client closed its connection before anything was answered: nobody to answer.
  void client_left() {
    context_.client_closed();
    context_.outcome.status = 499;
  }

  struct Failure {
    std::optional<GatewayError> error;
    std::optional<UpstreamFailure> answer;  // an upstream's error answer, kept to relay
  };

  RequestScope& scope_;
  RequestContext& context_;
  OperationHandler& operation_;
  const ParsedRequest& request_;
  routing::AttemptPlan plan_;
  Failure last_;
  std::string last_label_;  // the deployment the final answer is about
  std::optional<GatewayError> fatal_error_;
  std::optional<net::steady_timer> backoff_;  // made for the first retry round
};

}  // namespace

net::awaitable<void> run_attempts(RequestScope& scope, OperationHandler& operation, const ParsedRequest& request) {
  AttemptLoop loop(scope, operation, request);
  co_await loop.run();
}

}  // namespace switchyard::server
