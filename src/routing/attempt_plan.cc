#include "routing/attempt_plan.h"

#include <algorithm>

namespace switchyard::routing {

using std::chrono::duration_cast;

Millis backoff_delay(int round, Millis initial, Millis max, double jitter01) {
  double ceiling = static_cast<double>(initial.count());
  for (int i = 1; i < round && ceiling < static_cast<double>(max.count()); ++i) ceiling *= 2;
  ceiling = std::min(ceiling, static_cast<double>(max.count()));
  return Millis(static_cast<Millis::rep>(ceiling * (0.5 + 0.5 * jitter01)));
}

GatewayError unknown_model(const std::string& model) {
  return make_error(ErrorKind::not_found,
                    "The model '" + model + "' does not exist or is not configured on this gateway.", "model_not_found",
                    "model");
}

AttemptPlan::AttemptPlan(Plan plan, providers::Operation operation, std::string model)
    : candidates_(std::make_shared<const Candidates>(std::move(plan.candidates))), retry_(plan.retry),
      known_(plan.known), earliest_recovery_(plan.earliest_recovery), rate_limited_(plan.rate_limited),
      operation_(operation), model_(std::move(model)) {
  max_attempts_ = retry_.max_attempts > 0 ? retry_.max_attempts : static_cast<int>(candidates_->size());
  tried_.assign(candidates_->size(), false);
}

// A new round over the candidates: the first at once; another only after a failure worth
// retrying (and only if some candidate was admitted in the last one), after a backoff.
bool AttemptPlan::start_round(double (*jitter)(), Millis& delay) {
  delay = Millis(0);
  if (round_ > 0) {
    if (!tried_any_ || !last_retryable_) return false;
    const RetryPolicy& retry = retry_;
    delay = backoff_delay(round_, retry.initial_backoff, retry.max_backoff, jitter());
    if (last_retry_after_) {
      if (*last_retry_after_ > retry.max_backoff) return false;  // the client is better placed to wait
      delay = std::max(delay, *last_retry_after_);
    }
  }
  ++round_;
  in_round_ = true;
  index_ = 0;
  tried_any_ = false;
  std::fill(tried_.begin(), tried_.end(), false);
  return true;
}

std::optional<Attempt> AttemptPlan::admit(std::size_t index, Clock::time_point now) {
  const Candidate& candidate = (*candidates_)[index];
  if (tried_[index] || !candidate.provider->supports(operation_)) return std::nullopt;
  bool probe = false;
  if (candidate.breaker && !candidate.health->admit(now, &probe)) {  // cooling down, or a probe is out
    refused_admission_ = true;
    return std::nullopt;
  }
  tried_[index] = true;
  tried_any_ = true;
  ++attempts_;
  candidate.health->record_request(now);
  return Attempt(candidates_, index, probe, now);
}

AttemptPlan::Step AttemptPlan::next(Clock::time_point now, double (*jitter)()) {
  while (attempts_ < max_attempts_) {
    if (!in_round_) {
      Millis delay;
      if (!start_round(jitter, delay)) break;
      if (delay.count() > 0) return Step{Step::Kind::wait, std::nullopt, delay};
    }
    while (index_ < candidates_->size()) {
      if (auto attempt = admit(index_++, now)) return Step{Step::Kind::attempt, std::move(attempt), {}};
    }
    in_round_ = false;
  }
  return Step{};
}

bool AttemptPlan::hedges() const {
  return retry_.hedge_after.count() > 0 && attempts_ == 1 && operation_ == providers::Operation::generate;
}

std::optional<Attempt> AttemptPlan::backup(Clock::time_point now) {
  for (std::size_t i = index_; i < candidates_->size() && attempts_ < max_attempts_; ++i) {
    if (auto attempt = admit(i, now)) return attempt;
  }
  return std::nullopt;
}

void AttemptPlan::report(Attempt& attempt, const Verdict& verdict, Clock::time_point now) {
  DeploymentHealth& health = *attempt.candidate().health;
  bool first_verdict = !attempt.judged_;
  // The breaker heeds the verdicts of what it admitted: its probe, or an attempt made while
  // it was closed. The health is shared (aliases, direct names), so an attempt its breaker
  // never saw, or one still running from before the breaker opened, only counts.
  bool moves_breaker = first_verdict && attempt.breaker_admitted_ && (attempt.probe_ || !health.cooling());
  // A probe whose verdict moved the breaker has nothing to hand back when it ends (a later
  // hand-back would free a newer probe's place); one without a verdict hands it back.
  auto judged = [&] {
    attempt.judged_ = true;
    if (moves_breaker && attempt.probe_) attempt.in_flight_.probe_resolved();
  };
  switch (verdict.kind) {
    case Verdict::Kind::succeeded:
    case Verdict::Kind::answered:
      if (moves_breaker) health.on_success(verdict.latency);
      else if (first_verdict) health.observe_success(verdict.latency);
      judged();
      return;
    case Verdict::Kind::cancelled:
      return;
    case Verdict::Kind::failed:
      break;
  }
  switch (verdict.fault) {
    case Fault::deployment:
      if (moves_breaker) health.on_failure(now);
      else if (first_verdict) health.observe_failure();
      judged();
      last_retryable_ = true;
      last_retry_after_ = verdict.retry_after;
      break;
    case Fault::gateway:
      attempt.judged_ = true;
      last_retryable_ = true;
      last_retry_after_.reset();
      break;
    case Fault::candidate:
    case Fault::request:
      attempt.judged_ = true;
      last_retryable_ = false;
      last_retry_after_.reset();
      break;
    case Fault::cancelled:
      break;
  }
}

void AttemptPlan::record_tokens(const Attempt& attempt, std::int64_t tokens, Clock::time_point now) {
  attempt.candidate().health->record_tokens(tokens, now);
}

namespace {

// "every deployment of 'MODEL' " + `state`. (Built by appending: g++ 12 misreads the
// inlined operator+ chains here as overlapping copies.)
std::string every_deployment(const std::string& model, std::string_view state) {
  std::string message = "every deployment of '";
  message += model;
  message += "' ";
  message += state;
  return message;
}

}  // namespace

std::optional<GatewayError> AttemptPlan::refusal(Clock::time_point now) const {
  if (!known_) return unknown_model(model_);
  if (candidates_->empty() && rate_limited_ && !earliest_recovery_) {
    GatewayError error = make_error(ErrorKind::rate_limited,
                                    every_deployment(model_, "is at its requests- or tokens-per-minute limit"),
                                    "deployment_rate_limited");
    // Per-minute windows: the next one starts at the top of the minute.
    auto seconds = duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
    error.retry_after = std::to_string(60 - seconds % 60);
    return error;
  }
  if (candidates_->empty()) {
    GatewayError error = make_error(ErrorKind::unavailable,
                                    every_deployment(model_, "is cooling down after repeated failures"),
                                    "deployments_cooling_down");
    if (earliest_recovery_) {
      auto wait = duration_cast<std::chrono::seconds>(*earliest_recovery_ - now).count() + 1;
      error.retry_after = std::to_string(std::max<long long>(1, wait));
    }
    return error;
  }
  if (attempts_ == 0 && refused_admission_) {
    // Every candidate refused admission: half-open with its probe still out.
    GatewayError error = make_error(ErrorKind::unavailable,
                                    every_deployment(model_, "is recovering from repeated failures"),
                                    "deployments_cooling_down");
    error.retry_after = std::to_string(1);  // (a literal here trips a g++ 12 -Wrestrict false positive)
    return error;
  }
  return std::nullopt;
}

GatewayError AttemptPlan::unsupported() const {
  return make_error(ErrorKind::invalid_request, "no deployment of '" + model_ + "' supports this operation",
                    "unsupported_operation", "model");
}

}  // namespace switchyard::routing
