// The plan iterator: routing's side of the attempt loop. It hands out admitted attempts,
// one at a time (next), a backup for a hedge (backup), and takes each attempt's verdict
// (report), keeping routing's books: circuit breakers and half-open probes, requests in
// flight, latency averages and the upstream's requests and tokens per minute. The loop
// that sends requests (server/attempt_loop.cc) decides nothing about routing.
//
// The rules: the plan's candidates are tried in order, each admitted past its circuit
// breaker (a half-open one lets a single probe through), skipping those whose provider
// lacks the operation. A failure the deployment is to blame for, or the gateway's own,
// moves on to the next candidate; one the candidate cannot help (its dialect cannot
// express the request) too, but it ends the retrying after this round. When a round is
// over and `max_attempts` allows, another round starts after a backoff with jitter, at
// least as long as the upstream's retry-after (which, longer than max_backoff, ends the
// retrying instead: the client is better placed to wait).
#pragma once

#include <boost/container/small_vector.hpp>
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/error.h"
#include "core/units.h"
#include "providers/provider.h"
#include "routing/router.h"

namespace switchyard::routing {

// The candidates of one request's plan, shared by its attempts.
using Candidates = std::vector<Candidate>;

// One admitted attempt at one deployment. Holds the deployment's in-flight count (and a
// half-open probe) until destroyed, and the plan's candidates: a hedge's loser may outlive
// the plan.
class Attempt {
 public:
  Attempt(std::shared_ptr<const Candidates> candidates, std::size_t index, bool probe,
          std::chrono::steady_clock::time_point now)
      : candidates_(std::move(candidates)), candidate_(&(*candidates_)[index]), probe_(probe),
        breaker_admitted_(candidate_->breaker), in_flight_(candidate_->health, probe), started_(now) {}

  const Candidate& candidate() const { return *candidate_; }
  const providers::Provider& provider() const { return *candidate_->provider; }
  const std::string& label() const { return candidate_->label; }
  bool probe() const { return probe_; }
  std::chrono::steady_clock::time_point started() const { return started_; }
  // When the request goes out: an attempt may be admitted before its body is built.
  void restart_clock(std::chrono::steady_clock::time_point now) { started_ = now; }

 private:
  friend class AttemptPlan;
  std::shared_ptr<const Candidates> candidates_;
  const Candidate* candidate_;
  bool probe_;
  bool judged_ = false;  // the deployment has had its verdict on this attempt
  // Admitted by the breaker while it was closed (or as its probe): only such an attempt's
  // verdict moves the breaker.
  bool breaker_admitted_ = false;
  InFlight in_flight_;
  std::chrono::steady_clock::time_point started_;
};

// How an attempt ended, as far as routing cares.
struct Verdict {
  enum class Kind {
    succeeded,  // a first token (or a whole answer) came back
    answered,   // the upstream answered with an error that is about the request, not itself
    failed,     // see `fault`
    cancelled,  // called off before a verdict: a hedge's loser, a client that left
  };
  Kind kind = Kind::succeeded;
  Fault fault = Fault::deployment;             // for failed
  std::optional<Millis> retry_after;           // for failed: the upstream's own advice
  std::chrono::microseconds latency{0};        // for succeeded and answered: to the first token

  static Verdict success(std::chrono::microseconds latency) { return {Kind::succeeded, Fault::deployment, {}, latency}; }
  static Verdict answer(std::chrono::microseconds latency) { return {Kind::answered, Fault::deployment, {}, latency}; }
  static Verdict failure(Fault fault, std::optional<Millis> retry_after = {}) {
    return {Kind::failed, fault, retry_after, {}};
  }
  static Verdict cancel() { return {Kind::cancelled, Fault::cancelled, {}, {}}; }
};

class AttemptPlan {
 public:
  using Clock = std::chrono::steady_clock;

  AttemptPlan(Plan plan, providers::Operation operation, std::string model);

  struct Step {
    enum class Kind { attempt, wait, done };
    Kind kind = Kind::done;
    std::optional<Attempt> attempt;  // for attempt
    Millis delay{0};                 // for wait: sleep, then ask again
  };

  // What to do next; `jitter` draws a number in [0, 1) to spread a retry round's backoff
  // (asked only when a round is to wait).
  Step next(Clock::time_point now, double (*jitter)());

  // Whether the attempt just handed out may be hedged: the plan's alias hedges, this is the
  // request's first attempt, and the operation generates.
  bool hedges() const;
  Millis hedge_after() const { return retry_.hedge_after; }
  // The candidate a hedge races against the current attempt: the next one in this round that
  // can start now. It counts as an attempt, and the round skips it later.
  std::optional<Attempt> backup(Clock::time_point now);

  // An attempt's verdict. A deployment gets one per attempt: a generation's comes with its
  // first token, and a failure after that (the answer could not be relayed) only counts
  // toward retrying, not against the deployment.
  void report(Attempt& attempt, const Verdict& verdict, Clock::time_point now);
  // The tokens an answered request used, against the deployment's tokens per minute.
  void record_tokens(const Attempt& attempt, std::int64_t tokens, Clock::time_point now);

  // Whether another attempt may follow this one (an upstream's error answer is kept in case
  // one does better; otherwise it is relayed at once).
  bool more_attempts() const { return attempts_ < max_attempts_; }
  int attempts() const { return attempts_; }

  // Once next() said done: the error that ends the request when nothing was answered — the
  // model is unknown, every deployment is cooling down or over its rpm/tpm, or recovering —
  // or nullopt when the last attempt's failure is the answer (or none could serve the
  // operation, when no attempt was made: unsupported()).
  std::optional<GatewayError> refusal(Clock::time_point now) const;
  GatewayError unsupported() const;

 private:
  bool start_round(double (*jitter)(), Millis& delay);
  std::optional<Attempt> admit(std::size_t index, Clock::time_point now);

  std::shared_ptr<const Candidates> candidates_;
  RetryPolicy retry_;
  bool known_ = false;
  std::optional<std::chrono::steady_clock::time_point> earliest_recovery_;
  bool rate_limited_ = false;
  providers::Operation operation_;
  std::string model_;
  int max_attempts_ = 0;
  int attempts_ = 0;
  int round_ = 0;               // rounds started
  std::size_t index_ = 0;       // the next candidate of this round
  bool in_round_ = false;
  bool tried_any_ = false;      // this round admitted someone
  boost::container::small_vector<bool, 8> tried_;  // this round: admitted already (a hedge takes one early)
  bool refused_admission_ = false;
  bool last_retryable_ = false;
  std::optional<Millis> last_retry_after_;
};

// The delay before retry round `round` (1 = the first retry): exponential from
// `initial`, capped at `max`, with full jitter so clients that failed together do not
// come back together.
Millis backoff_delay(int round, Millis initial, Millis max, double jitter01);

// The 404 for a model name no alias or provider answers to.
GatewayError unknown_model(const std::string& model);

}  // namespace switchyard::routing
