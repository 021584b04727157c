#include "routing/router.h"

#include <gtest/gtest.h>

#include <map>

namespace switchyard::routing {
namespace {

ProviderMap providers(std::initializer_list<const char*> names) {
  ProviderMap map;
  for (const char* name : names) {
    providers::ProviderSpec spec;
    spec.name = name;
    spec.type = "mock";
    map.emplace(name, providers::make_provider(spec).value());
  }
  return map;
}

Deployment deployment(std::string provider, std::string model, double weight = 1, int priority = 0) {
  Deployment out;
  out.provider = std::move(provider);
  out.model = std::move(model);
  out.weight = weight;
  out.priority = priority;
  return out;
}

ModelAlias alias(std::string name, std::vector<Deployment> deployments, Strategy strategy = Strategy::priority) {
  ModelAlias out;
  out.name = std::move(name);
  out.deployments = std::move(deployments);
  out.strategy = strategy;
  return out;
}

std::vector<std::string> labels(const Plan& plan) {
  std::vector<std::string> out;
  for (const auto& candidate : plan.candidates) out.push_back(candidate.label);
  return out;
}

TEST(Router, PriorityOrdersByPriorityThenAsListed) {
  Router router({alias("fast", {deployment("a", "m1", 1, 2), deployment("b", "m2", 1, 1), deployment("a", "m3", 1, 1)})},
                providers({"a", "b"}));
  EXPECT_EQ(labels(router.plan("fast")), (std::vector<std::string>{"b/m2", "a/m3", "a/m1"}));
}

TEST(Router, ResolvesProviderSlashModel) {
  Router router({}, providers({"oai", "local"}));
  auto plan = router.plan("oai/gpt-4.1");
  ASSERT_EQ(plan.candidates.size(), 1u);
  EXPECT_EQ(plan.candidates[0].label, "oai/gpt-4.1");
  // Models with slashes of their own (OpenRouter names) keep everything after the first.
  EXPECT_EQ(router.plan("local/meta-llama/llama-3-8b").candidates[0].model, "meta-llama/llama-3-8b");
}

TEST(Router, AliasesWinOverProviderPrefixes) {
  Router router({alias("oai/special", {deployment("local", "tuned")})}, providers({"oai", "local"}));
  EXPECT_EQ(labels(router.plan("oai/special")), (std::vector<std::string>{"local/tuned"}));
}

TEST(Router, UnknownNamesPlanNothing) {
  Router router({alias("fast", {deployment("oai", "m")})}, providers({"oai"}));
  for (const char* name : {"slow", "nobody/model", "oai/", "/model"}) {
    Plan plan = router.plan(name);
    EXPECT_FALSE(plan.known) << name;
    EXPECT_TRUE(plan.candidates.empty()) << name;
  }
}

TEST(Router, FallbacksFollowTheAliasAndNeverLoop) {
  ModelAlias gpt = alias("gpt", {deployment("oai", "gpt-4o")});
  gpt.fallbacks = {"claude"};
  ModelAlias claude = alias("claude", {deployment("ant", "claude-sonnet-4-5")});
  claude.fallbacks = {"gpt"};
  Router router({gpt, claude}, providers({"oai", "ant"}));
  EXPECT_EQ(labels(router.plan("gpt")), (std::vector<std::string>{"oai/gpt-4o", "ant/claude-sonnet-4-5"}));
}

TEST(Router, OpenRouterModelsListAddsPerRequestFallbacks) {
  Router router({alias("gpt", {deployment("oai", "gpt-4o")})}, providers({"oai", "ant"}));
  EXPECT_EQ(labels(router.plan("gpt", {"ant/claude-haiku-4-5", "gpt", "nobody/x"})),
            (std::vector<std::string>{"oai/gpt-4o", "ant/claude-haiku-4-5"}));
  EXPECT_FALSE(router.plan("unknown", {"gpt"}).known);  // the requested model must exist
}

TEST(Router, WeightedSplitsWithinFivePercentOverTenThousandRequests) {
  Router router({alias("w", {deployment("a", "m1", 1), deployment("a", "m2", 3), deployment("a", "m3", 6)},
                        Strategy::weighted)},
                providers({"a"}));
  std::map<std::string, int> first;
  constexpr int kRequests = 10000;
  for (int i = 0; i < kRequests; ++i) {
    Plan plan = router.plan("w");
    ASSERT_EQ(plan.candidates.size(), 3u);  // the rest of the order is the fallback sequence
    ++first[plan.candidates[0].model];
  }
  EXPECT_NEAR(first["m1"] / double(kRequests), 0.1, 0.05);
  EXPECT_NEAR(first["m2"] / double(kRequests), 0.3, 0.05);
  EXPECT_NEAR(first["m3"] / double(kRequests), 0.6, 0.05);
}

TEST(Router, LowestLatencyMovesAwayFromADeploymentThatSlowedDown) {
  Router router({alias("l", {deployment("a", "fast"), deployment("a", "slow")}, Strategy::lowest_latency)},
                providers({"a"}));
  Plan plan = router.plan("l");
  DeploymentHealth* fast = plan.candidates[0].model == "fast" ? plan.candidates[0].health : plan.candidates[1].health;
  DeploymentHealth* slow = plan.candidates[0].model == "slow" ? plan.candidates[0].health : plan.candidates[1].health;
  fast->on_success(std::chrono::milliseconds(50));
  slow->on_success(std::chrono::milliseconds(80));
  EXPECT_EQ(router.plan("l").candidates[0].model, "fast");
  // "fast" degrades to 400 ms: within a few requests the average crosses over.
  for (int i = 0; i < 3; ++i) fast->on_success(std::chrono::milliseconds(400));
  EXPECT_EQ(router.plan("l").candidates[0].model, "slow");
}

TEST(Router, LeastBusyPrefersFewerRequestsInFlight) {
  Router router({alias("b", {deployment("a", "m1"), deployment("a", "m2")}, Strategy::least_busy)}, providers({"a"}));
  Plan plan = router.plan("b");
  DeploymentHealth* m1 = plan.candidates[0].model == "m1" ? plan.candidates[0].health : plan.candidates[1].health;
  InFlight busy(m1);
  for (int i = 0; i < 50; ++i) EXPECT_EQ(router.plan("b").candidates[0].model, "m2");
}

ProviderMap typed_providers(std::initializer_list<std::pair<const char*, const char*>> names_and_types) {
  ProviderMap map;
  for (const auto& [name, type] : names_and_types) {
    providers::ProviderSpec spec;
    spec.name = name;
    spec.type = type;
    spec.base_url = "http://127.0.0.1:9";
    map.emplace(name, providers::make_provider(spec).value());
  }
  return map;
}

TEST(Router, LowestCostReadsThePriceTableAndConfiguredPrices) {
  Deployment tuned = deployment("oai", "my-finetune");
  tuned.price = std::make_shared<const pricing::ModelPrice>(pricing::configured_price(50000, 100000, {}, {}));
  Router router({alias("c",
                       {deployment("ant", "claude-opus-4-20250514"), deployment("oai", "unknown-model"),
                        deployment("oai", "gpt-4o-mini"), tuned},
                       Strategy::lowest_cost)},
                typed_providers({{"oai", "openai"}, {"ant", "anthropic"}}));
  Plan plan = router.plan("c");
  // $0.15 (0.05 + 0.10) < $0.75 (0.15 + 0.60) < $90 (15 + 75) per million; unknown last.
  EXPECT_EQ(labels(plan), (std::vector<std::string>{"oai/my-finetune", "oai/gpt-4o-mini", "ant/claude-opus-4-20250514",
                                                   "oai/unknown-model"}));
  EXPECT_EQ(plan.candidates[0].price->id, "configured");
  ASSERT_NE(plan.candidates[1].price, nullptr);
  EXPECT_EQ(plan.candidates[1].price->id, "gpt-4o-mini");
  EXPECT_EQ(plan.candidates[2].price->id, "claude-opus-4-0");
  EXPECT_EQ(plan.candidates[3].price, nullptr);
}

TEST(Router, ClientNamedModelsArePricedByTheirProvider) {
  Router router({}, typed_providers({{"oai", "openai"}, {"gem", "gemini"}, {"local", "mock"}}));
  EXPECT_EQ(router.plan("oai/gpt-4.1").candidates[0].price->id, "gpt-4.1");
  EXPECT_EQ(router.plan("gem/gemini-2.5-pro").candidates[0].price->id, "gemini-2.5-pro");
  // A Gemini model is not in OpenAI's list, even if an OpenAI-type provider is asked for it.
  EXPECT_EQ(router.plan("oai/gemini-2.5-pro").candidates[0].price, nullptr);
  // The built-in mock is free: a known price of zero.
  const pricing::ModelPrice* mock = router.plan("local/anything").candidates[0].price;
  ASSERT_NE(mock, nullptr);
  EXPECT_EQ(mock->base_per_token(pricing::day_of(std::chrono::system_clock::now())), 0);
}

TEST(Router, CoolingDeploymentsAreSkippedAndReportedWhenAllAre) {
  ModelAlias fast = alias("fast", {deployment("a", "m1"), deployment("a", "m2")});
  fast.cooldown = {2, std::chrono::seconds(10), std::chrono::seconds(30)};
  Router router({fast}, providers({"a"}));
  Plan plan = router.plan("fast");
  auto now = DeploymentHealth::Clock::now();
  plan.candidates[0].health->on_failure(now);
  plan.candidates[0].health->on_failure(now);
  EXPECT_EQ(labels(router.plan("fast")), (std::vector<std::string>{"a/m2"}));
  plan.candidates[1].health->on_failure(now);
  plan.candidates[1].health->on_failure(now);
  Plan cooling = router.plan("fast");
  EXPECT_TRUE(cooling.known);
  EXPECT_TRUE(cooling.candidates.empty());
  ASSERT_TRUE(cooling.earliest_recovery);
  EXPECT_GT(*cooling.earliest_recovery, now);
}

TEST(DeploymentHealth, CoolsDownThenLetsOneProbeThrough) {
  DeploymentHealth health({2, std::chrono::seconds(10), std::chrono::seconds(5)});
  auto t0 = DeploymentHealth::Clock::now();
  health.on_failure(t0);
  EXPECT_EQ(health.state(t0), HealthState::healthy);
  health.on_failure(t0 + std::chrono::seconds(1));
  EXPECT_EQ(health.state(t0 + std::chrono::seconds(2)), HealthState::cooling_down);
  EXPECT_FALSE(health.admit(t0 + std::chrono::seconds(2)));
  auto later = t0 + std::chrono::seconds(7);
  EXPECT_EQ(health.state(later), HealthState::half_open);
  EXPECT_TRUE(health.admit(later));   // the probe
  EXPECT_FALSE(health.admit(later));  // nobody else while it is out
  health.on_failure(later);           // the probe failed: cool down again
  EXPECT_EQ(health.state(later + std::chrono::seconds(1)), HealthState::cooling_down);
  auto after = later + std::chrono::seconds(6);
  EXPECT_TRUE(health.admit(after));
  health.on_success(std::chrono::milliseconds(10));  // the probe succeeded: closed again
  EXPECT_EQ(health.state(after), HealthState::healthy);
  EXPECT_TRUE(health.admit(after));
  EXPECT_TRUE(health.admit(after));
}

TEST(DeploymentHealth, FailuresOutsideTheWindowDoNotCount) {
  DeploymentHealth health({2, std::chrono::seconds(10), std::chrono::seconds(5)});
  auto t0 = DeploymentHealth::Clock::now();
  health.on_failure(t0);
  health.on_failure(t0 + std::chrono::seconds(11));
  EXPECT_EQ(health.state(t0 + std::chrono::seconds(11)), HealthState::healthy);
}

}  // namespace
}  // namespace switchyard::routing

namespace switchyard::routing {
namespace {

TEST(Router, DeploymentsOverTheirRequestsPerMinuteAreSkipped) {
  Deployment limited = deployment("a", "m1");
  limited.limits.rpm = 2;
  Router router({alias("r", {limited, deployment("a", "m2")})}, providers({"a"}));
  auto now = DeploymentHealth::Clock::now();
  Plan plan = router.plan("r");
  ASSERT_EQ(plan.candidates[0].model, "m1");
  plan.candidates[0].health->record_request(now);
  EXPECT_EQ(router.plan("r").candidates[0].model, "m1");
  plan.candidates[0].health->record_request(now);
  Plan full = router.plan("r");
  EXPECT_EQ(labels(full), (std::vector<std::string>{"a/m2"}));
  EXPECT_TRUE(full.rate_limited);
  // A new minute starts from zero.
  EXPECT_TRUE(plan.candidates[0].health->within(limited.limits, now + std::chrono::minutes(1)));
}

TEST(DeploymentHealth, TokensPerMinuteCountUsage) {
  DeploymentHealth health;
  RateLimits limits{0, 1000};
  auto now = DeploymentHealth::Clock::now();
  health.record_tokens(600, now);
  EXPECT_TRUE(health.within(limits, now));
  health.record_tokens(500, now);
  EXPECT_FALSE(health.within(limits, now));
}

}  // namespace
}  // namespace switchyard::routing
