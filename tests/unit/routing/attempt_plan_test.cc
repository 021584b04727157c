// The plan iterator's rules, without a socket: the order of attempts, retry rounds and their
// backoff, fallbacks, the circuit breaker and its half-open probe, hedge backups, and the
// refusals a request ends with when nothing could be tried.
#include "routing/attempt_plan.h"

#include <gtest/gtest.h>

#include <thread>

namespace switchyard::routing {
namespace {

using Clock = std::chrono::steady_clock;
using Kind = AttemptPlan::Step::Kind;

ProviderMap providers(std::initializer_list<const char*> names) {
  ProviderMap map;
  for (const char* name : names) {
    providers::ProviderSpec spec;
    spec.name = name;
    spec.type = "mock";  // in process: supports generation only
    map.emplace(name, providers::make_provider(spec).value());
  }
  return map;
}

Deployment deployment(std::string provider, std::string model, int priority = 0) {
  Deployment out;
  out.provider = std::move(provider);
  out.model = std::move(model);
  out.priority = priority;
  return out;
}

ModelAlias alias(std::string name, std::vector<Deployment> deployments) {
  ModelAlias out;
  out.name = std::move(name);
  out.deployments = std::move(deployments);
  return out;
}

AttemptPlan attempts(const Router& router, const std::string& model,
                     providers::Operation operation = providers::Operation::generate) {
  return AttemptPlan(router.plan(model), operation, model);
}

// Jitter for the backoff: none (half of the delay), all of it, the most and the least.
double half() { return 0.5; }
double full() { return 1.0; }
double least() { return 0.0; }

// The label of the attempt `step` hands out, or what else it is.
std::string what(const AttemptPlan::Step& step) {
  if (step.kind == Kind::done) return "done";
  if (step.kind == Kind::wait) return "wait";
  return step.attempt->label();
}

TEST(AttemptPlan, TriesEachCandidateInOrderThenAnotherRoundAfterABackoff) {
  ModelAlias fast = alias("fast", {deployment("a", "m1"), deployment("a", "m2")});
  fast.retry.max_attempts = 4;
  fast.retry.initial_backoff = Millis(100);
  fast.cooldown = {0, std::chrono::seconds(10), std::chrono::seconds(10), true};
  Router router({fast}, providers({"a"}));
  AttemptPlan plan = attempts(router, "fast");
  auto now = Clock::now();
  std::vector<std::string> seen;
  while (true) {
    AttemptPlan::Step step = plan.next(now, full);
    seen.push_back(what(step));
    if (step.kind == Kind::done) break;
    if (step.kind == Kind::wait) {
      EXPECT_GE(step.delay, Millis(100));  // round 1's backoff, full jitter at 1.0
      continue;
    }
    plan.report(*step.attempt, Verdict::failure(Fault::deployment), now);
  }
  EXPECT_EQ(seen, (std::vector<std::string>{"a/m1", "a/m2", "wait", "a/m1", "a/m2", "done"}));
  EXPECT_EQ(plan.attempts(), 4);
  EXPECT_FALSE(plan.refusal(now));  // the last failure is the answer
}

TEST(AttemptPlan, OneAttemptPerCandidateWithoutMaxAttempts) {
  Router router({alias("fast", {deployment("a", "m1"), deployment("a", "m2")})}, providers({"a"}));
  AttemptPlan plan = attempts(router, "fast");
  auto now = Clock::now();
  for (const char* label : {"a/m1", "a/m2"}) {
    AttemptPlan::Step step = plan.next(now, half);
    ASSERT_EQ(what(step), label);
    EXPECT_EQ(plan.more_attempts(), std::string_view(label) == "a/m1");
    plan.report(*step.attempt, Verdict::failure(Fault::deployment), now);
  }
  EXPECT_EQ(what(plan.next(now, half)), "done");
}

TEST(AttemptPlan, ACandidateThatCannotTakeTheRequestEndsTheRetrying) {
  ModelAlias fast = alias("fast", {deployment("a", "m1")});
  fast.retry.max_attempts = 3;
  Router router({fast}, providers({"a"}));
  AttemptPlan plan = attempts(router, "fast");
  auto now = Clock::now();
  AttemptPlan::Step step = plan.next(now, half);
  ASSERT_EQ(what(step), "a/m1");
  plan.report(*step.attempt, Verdict::failure(Fault::candidate), now);
  EXPECT_EQ(what(plan.next(now, half)), "done");  // another round would fail the same way
}

TEST(AttemptPlan, TheUpstreamsRetryAfterStretchesTheBackoffOrEndsTheRetrying) {
  ModelAlias fast = alias("fast", {deployment("a", "m1")});
  fast.retry.max_attempts = 3;
  fast.retry.initial_backoff = Millis(100);
  fast.retry.max_backoff = Millis(2000);
  Router router({fast}, providers({"a"}));
  auto now = Clock::now();

  AttemptPlan waits = attempts(router, "fast");
  AttemptPlan::Step step = waits.next(now, least);
  waits.report(*step.attempt, Verdict::failure(Fault::deployment, Millis(1500)), now);
  step = waits.next(now, least);
  ASSERT_EQ(step.kind, Kind::wait);
  EXPECT_EQ(step.delay, Millis(1500));

  AttemptPlan gives_up = attempts(router, "fast");
  step = gives_up.next(now, least);
  gives_up.report(*step.attempt, Verdict::failure(Fault::deployment, Millis(60000)), now);
  EXPECT_EQ(what(gives_up.next(now, least)), "done");  // the client is better placed to wait a minute
}

TEST(AttemptPlan, TheGatewaysOwnFailureIsRetriedWithoutBlamingTheDeployment) {
  ModelAlias fast = alias("fast", {deployment("a", "m1"), deployment("a", "m2")});
  fast.cooldown = {1, std::chrono::seconds(10), std::chrono::seconds(30), true};
  Router router({fast}, providers({"a"}));
  auto now = Clock::now();
  AttemptPlan plan = attempts(router, "fast");
  AttemptPlan::Step step = plan.next(now, half);
  plan.report(*step.attempt, Verdict::failure(Fault::gateway), now);
  EXPECT_EQ(what(plan.next(now, half)), "a/m2");
  EXPECT_EQ(router.plan("fast").candidates.size(), 2u);  // one failure would have tripped m1's breaker
}

TEST(AttemptPlan, FallbacksFollowTheAliasesOwnDeployments) {
  ModelAlias gpt = alias("gpt", {deployment("oai", "gpt-4o")});
  gpt.fallbacks = {"claude"};
  Router router({gpt, alias("claude", {deployment("ant", "claude-sonnet-4-5")})}, providers({"oai", "ant"}));
  AttemptPlan plan = attempts(router, "gpt");
  auto now = Clock::now();
  AttemptPlan::Step first = plan.next(now, half);
  ASSERT_EQ(what(first), "oai/gpt-4o");
  plan.report(*first.attempt, Verdict::failure(Fault::deployment), now);
  EXPECT_EQ(what(plan.next(now, half)), "ant/claude-sonnet-4-5");
}

TEST(AttemptPlan, RepeatedFailuresTripTheBreakerAndLaterPlansSkipTheDeployment) {
  ModelAlias fast = alias("fast", {deployment("a", "bad"), deployment("a", "good", 1)});
  fast.cooldown = {2, std::chrono::seconds(10), std::chrono::seconds(30), true};
  Router router({fast}, providers({"a"}));
  auto now = Clock::now();
  for (int request = 0; request < 2; ++request) {
    AttemptPlan plan = attempts(router, "fast");
    AttemptPlan::Step step = plan.next(now, half);
    ASSERT_EQ(what(step), "a/bad");
    plan.report(*step.attempt, Verdict::failure(Fault::deployment), now);
  }
  AttemptPlan after = attempts(router, "fast");
  EXPECT_EQ(what(after.next(now, half)), "a/good");
}

TEST(AttemptPlan, AHalfOpenDeploymentLetsOneProbeThroughAndItsSuccessClosesTheCircuit) {
  ModelAlias fast = alias("fast", {deployment("a", "flaky"), deployment("a", "steady", 1)});
  fast.cooldown = {1, std::chrono::seconds(10), std::chrono::milliseconds(1), true};
  Router router({fast}, providers({"a"}));
  {
    AttemptPlan plan = attempts(router, "fast");
    AttemptPlan::Step step = plan.next(Clock::now(), half);
    plan.report(*step.attempt, Verdict::failure(Fault::deployment), Clock::now());  // trips: 1 failure
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(5));  // the 1 ms cooldown passes: half-open

  AttemptPlan probing = attempts(router, "fast");
  AttemptPlan::Step probe = probing.next(Clock::now(), half);
  ASSERT_EQ(what(probe), "a/flaky");
  EXPECT_TRUE(probe.attempt->probe());
  // While the probe is out, other requests go elsewhere.
  AttemptPlan other = attempts(router, "fast");
  EXPECT_EQ(what(other.next(Clock::now(), half)), "a/steady");

  probing.report(*probe.attempt, Verdict::success(std::chrono::milliseconds(10)), Clock::now());
  AttemptPlan closed = attempts(router, "fast");
  AttemptPlan::Step again = closed.next(Clock::now(), half);
  EXPECT_EQ(what(again), "a/flaky");
  EXPECT_FALSE(again.attempt->probe());
}

TEST(AttemptPlan, AProbeThatEndsWithoutAVerdictIsHandedBack) {
  ModelAlias fast = alias("fast", {deployment("a", "flaky"), deployment("a", "steady", 1)});
  fast.cooldown = {1, std::chrono::seconds(10), std::chrono::milliseconds(1), true};
  Router router({fast}, providers({"a"}));
  {
    AttemptPlan plan = attempts(router, "fast");
    AttemptPlan::Step step = plan.next(Clock::now(), half);
    plan.report(*step.attempt, Verdict::failure(Fault::deployment), Clock::now());
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(5));
  {
    AttemptPlan cancelled = attempts(router, "fast");
    AttemptPlan::Step probe = cancelled.next(Clock::now(), half);
    ASSERT_TRUE(probe.attempt->probe());
    cancelled.report(*probe.attempt, Verdict::cancel(), Clock::now());  // the client left
  }
  AttemptPlan next = attempts(router, "fast");
  AttemptPlan::Step probe = next.next(Clock::now(), half);
  EXPECT_EQ(what(probe), "a/flaky");
  EXPECT_TRUE(probe.attempt->probe());
}

TEST(AttemptPlan, OnlyWhatTheBreakerAdmittedMovesIt) {
  // One deployment, two aliases: `guarded` routes around it when it fails, `solo` (its only
  // deployment, no fallbacks) has its breaker off and keeps using it.
  ModelAlias guarded = alias("guarded", {deployment("a", "shared"), deployment("a", "other", 1)});
  guarded.cooldown = {1, std::chrono::seconds(10), std::chrono::milliseconds(1), true};
  Router router({guarded, alias("solo", {deployment("a", "shared")})}, providers({"a"}));
  {
    AttemptPlan trip = attempts(router, "guarded");
    AttemptPlan::Step step = trip.next(Clock::now(), half);
    trip.report(*step.attempt, Verdict::failure(Fault::deployment), Clock::now());
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(5));  // half-open
  AttemptPlan probing = attempts(router, "guarded");
  AttemptPlan::Step probe = probing.next(Clock::now(), half);
  ASSERT_TRUE(probe.attempt->probe());

  // The breaker-off alias's success and failure while the probe is out neither close the
  // breaker nor reopen it in the probe's stead.
  AttemptPlan solo = attempts(router, "solo");
  AttemptPlan::Step unguarded = solo.next(Clock::now(), half);
  ASSERT_EQ(what(unguarded), "a/shared");
  solo.report(*unguarded.attempt, Verdict::success(std::chrono::milliseconds(5)), Clock::now());
  AttemptPlan meanwhile = attempts(router, "guarded");
  EXPECT_EQ(what(meanwhile.next(Clock::now(), half)), "a/other");  // still half-open, the probe still out

  probing.report(*probe.attempt, Verdict::success(std::chrono::milliseconds(5)), Clock::now());
  AttemptPlan closed = attempts(router, "guarded");
  EXPECT_EQ(what(closed.next(Clock::now(), half)), "a/shared");
}

TEST(AttemptPlan, AJudgedProbeThatEndsLaterDoesNotFreeANewerProbe) {
  ModelAlias fast = alias("fast", {deployment("a", "flaky"), deployment("a", "steady", 1)});
  fast.cooldown = {1, std::chrono::seconds(10), std::chrono::milliseconds(1), true};
  Router router({fast}, providers({"a"}));
  auto trip = [&] {
    AttemptPlan plan = attempts(router, "fast");
    AttemptPlan::Step step = plan.next(Clock::now(), half);
    plan.report(*step.attempt, Verdict::failure(Fault::deployment), Clock::now());
  };
  trip();
  std::this_thread::sleep_for(std::chrono::milliseconds(5));
  AttemptPlan first = attempts(router, "fast");
  AttemptPlan::Step long_probe = first.next(Clock::now(), half);
  ASSERT_TRUE(long_probe.attempt->probe());
  first.report(*long_probe.attempt, Verdict::success(std::chrono::milliseconds(5)), Clock::now());  // a long stream begins
  trip();  // it fails again meanwhile
  std::this_thread::sleep_for(std::chrono::milliseconds(5));
  AttemptPlan second = attempts(router, "fast");
  AttemptPlan::Step new_probe = second.next(Clock::now(), half);
  ASSERT_TRUE(new_probe.attempt && new_probe.attempt->probe());
  long_probe.attempt.reset();  // the long stream ends
  AttemptPlan third = attempts(router, "fast");
  EXPECT_EQ(what(third.next(Clock::now(), half)), "a/steady");  // the new probe is still the only one
}

TEST(AttemptPlan, ADeploymentGetsOneVerdictPerAttempt) {
  ModelAlias fast = alias("fast", {deployment("a", "m1"), deployment("a", "m2")});
  fast.cooldown = {1, std::chrono::seconds(10), std::chrono::seconds(30), true};
  Router router({fast}, providers({"a"}));
  auto now = Clock::now();
  AttemptPlan plan = attempts(router, "fast");
  AttemptPlan::Step step = plan.next(now, half);
  plan.report(*step.attempt, Verdict::success(std::chrono::milliseconds(5)), now);  // its first token
  plan.report(*step.attempt, Verdict::failure(Fault::deployment), now);  // then the answer did not decode
  EXPECT_EQ(router.plan("fast").candidates.size(), 2u);  // m1 was not blamed a second time
  EXPECT_EQ(what(plan.next(now, half)), "a/m2");            // but the request moves on
}

TEST(AttemptPlan, AHedgeBackupIsTheNextCandidateThatCanStartAndTheRoundSkipsIt) {
  ModelAlias hedged = alias("hedged", {deployment("a", "m1"), deployment("a", "m2", 1), deployment("a", "m3", 2)});
  hedged.retry.hedge_after = Millis(100);
  hedged.cooldown = {1, std::chrono::seconds(10), std::chrono::seconds(30), true};
  Router router({hedged}, providers({"a"}));
  auto now = Clock::now();
  {  // m2 is cooling down, so the backup is m3
    AttemptPlan trip = attempts(router, "hedged");
    trip.next(now, half);
    AttemptPlan::Step m2 = trip.next(now, half);
    ASSERT_EQ(what(m2), "a/m2");
    trip.report(*m2.attempt, Verdict::failure(Fault::deployment), now);
  }
  AttemptPlan plan = attempts(router, "hedged");
  AttemptPlan::Step first = plan.next(now, half);
  ASSERT_EQ(what(first), "a/m1");
  EXPECT_TRUE(plan.hedges());
  std::optional<Attempt> backup = plan.backup(now);
  ASSERT_TRUE(backup);
  EXPECT_EQ(backup->label(), "a/m3");
  EXPECT_EQ(plan.attempts(), 2);
  EXPECT_FALSE(plan.hedges());  // only the first attempt is hedged
  EXPECT_FALSE(plan.backup(now));  // nobody left in this round
  plan.report(*first.attempt, Verdict::cancel(), now);
  EXPECT_EQ(what(plan.next(now, half)), "done");  // m3 was tried already
}

TEST(AttemptPlan, OnlyGenerationIsHedged) {
  ModelAlias hedged = alias("hedged", {deployment("a", "m1"), deployment("a", "m2")});
  hedged.retry.hedge_after = Millis(100);
  Router router({hedged}, providers({"a"}));
  AttemptPlan counting = attempts(router, "hedged", providers::Operation::count_tokens);
  EXPECT_FALSE(counting.hedges());
}

TEST(AttemptPlan, RefusesAnUnknownModelWith404) {
  Router router({alias("fast", {deployment("a", "m1")})}, providers({"a"}));
  AttemptPlan plan = attempts(router, "slow");
  EXPECT_EQ(what(plan.next(Clock::now(), half)), "done");
  auto refusal = plan.refusal(Clock::now());
  ASSERT_TRUE(refusal);
  EXPECT_EQ(refusal->status, 404);
  EXPECT_EQ(refusal->code, "model_not_found");
}

TEST(AttemptPlan, RefusesWith503AndARetryAfterWhenEveryDeploymentIsCoolingDown) {
  ModelAlias fast = alias("fast", {deployment("a", "m1")});
  fast.cooldown = {1, std::chrono::seconds(10), std::chrono::seconds(30), true};
  Router router({fast}, providers({"a"}));
  auto now = Clock::now();
  AttemptPlan trip = attempts(router, "fast");
  AttemptPlan::Step step = trip.next(now, half);
  trip.report(*step.attempt, Verdict::failure(Fault::deployment), now);

  AttemptPlan plan = attempts(router, "fast");
  EXPECT_EQ(what(plan.next(now, half)), "done");
  auto refusal = plan.refusal(now);
  ASSERT_TRUE(refusal);
  EXPECT_EQ(refusal->status, 503);
  EXPECT_EQ(refusal->code, "deployments_cooling_down");
  EXPECT_GE(std::stoi(refusal->retry_after), 29);
}

TEST(AttemptPlan, RefusesWith503WhileTheOnlyDeploymentsProbeIsOut) {
  ModelAlias fast = alias("fast", {deployment("a", "m1")});
  fast.cooldown = {1, std::chrono::seconds(10), std::chrono::milliseconds(1), true};
  Router router({fast}, providers({"a"}));
  {
    AttemptPlan trip = attempts(router, "fast");
    AttemptPlan::Step step = trip.next(Clock::now(), half);
    trip.report(*step.attempt, Verdict::failure(Fault::deployment), Clock::now());
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(5));
  AttemptPlan probing = attempts(router, "fast");
  AttemptPlan::Step probe = probing.next(Clock::now(), half);
  ASSERT_TRUE(probe.attempt && probe.attempt->probe());

  AttemptPlan waiting = attempts(router, "fast");
  EXPECT_EQ(what(waiting.next(Clock::now(), half)), "done");
  auto refusal = waiting.refusal(Clock::now());
  ASSERT_TRUE(refusal);
  EXPECT_EQ(refusal->status, 503);
  EXPECT_EQ(refusal->retry_after, "1");
}

TEST(AttemptPlan, NoAttemptAtAllWhenNoDeploymentHasTheOperation) {
  Router router({alias("fast", {deployment("a", "m1")})}, providers({"a"}));
  AttemptPlan plan = attempts(router, "fast", providers::Operation::embed);  // the mock cannot embed
  EXPECT_EQ(what(plan.next(Clock::now(), half)), "done");
  EXPECT_EQ(plan.attempts(), 0);
  EXPECT_FALSE(plan.refusal(Clock::now()));
  EXPECT_EQ(plan.unsupported().code, "unsupported_operation");
}

TEST(AttemptPlan, AttemptsHoldTheDeploymentsInFlightCountUntilTheyEnd) {
  Router router({alias("fast", {deployment("a", "m1")})}, providers({"a"}));
  AttemptPlan plan = attempts(router, "fast");
  AttemptPlan::Step step = plan.next(Clock::now(), half);
  const DeploymentHealth& health = *step.attempt->candidate().health;
  EXPECT_EQ(health.in_flight(), 1);
  Attempt moved = std::move(*step.attempt);
  step.attempt.reset();
  EXPECT_EQ(health.in_flight(), 1);
  { Attempt gone = std::move(moved); }
  EXPECT_EQ(health.in_flight(), 0);
}

}  // namespace
}  // namespace switchyard::routing
