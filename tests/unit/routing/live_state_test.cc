// What the gateway learns while serving outlives configuration snapshots, and client-chosen
// names cannot grow it without limit.
#include "routing/live_state.h"

#include <gtest/gtest.h>

#include "routing/router.h"

namespace switchyard::routing {
namespace {

providers::ProviderSpec mock_spec(const char* name) {
  providers::ProviderSpec spec;
  spec.name = name;
  spec.type = "mock";
  return spec;
}

ProviderMap providers_of(std::initializer_list<const char*> names) {
  ProviderMap map;
  for (const char* name : names) map.emplace(name, providers::make_provider(mock_spec(name)).value());
  return map;
}

ModelAlias alias(std::string name, std::vector<std::pair<std::string, std::string>> deployments, int failures = 1) {
  ModelAlias out;
  out.name = std::move(name);
  for (auto& [provider, model] : deployments) {
    Deployment d;
    d.provider = provider;
    d.model = model;
    out.deployments.push_back(std::move(d));
  }
  out.cooldown = {failures, std::chrono::seconds(10), std::chrono::seconds(30), true};
  return out;
}

TEST(LiveState, ADeploymentInBothConfigurationsKeepsItsCooldown) {
  auto live = std::make_shared<LiveState>();
  auto before = std::make_unique<Router>(std::vector<ModelAlias>{alias("fast", {{"a", "m1"}, {"a", "m2"}})},
                                         providers_of({"a"}), live);
  auto now = DeploymentHealth::Clock::now();
  before->plan("fast").candidates[0].health->on_failure(now);  // m1 cools down
  ASSERT_EQ(before->plan("fast").candidates.size(), 1u);

  // A new configuration: another alias name, a new deployment, m1 kept.
  Router after({alias("quick", {{"a", "m1"}, {"a", "m3"}})}, providers_of({"a"}), live);
  before.reset();  // the old snapshot is gone
  Plan plan = after.plan("quick");
  ASSERT_EQ(plan.candidates.size(), 1u);
  EXPECT_EQ(plan.candidates[0].model, "m3");  // m1 is still cooling down
}

TEST(LiveState, ADeploymentNoConfigurationNamesIsForgotten) {
  auto live = std::make_shared<LiveState>();
  {
    Router router({alias("fast", {{"a", "m1"}})}, providers_of({"a"}), live);
    EXPECT_EQ(live->configured_count(), 1u);
  }
  EXPECT_EQ(live->configured_count(), 0u);
  Router next({alias("fast", {{"a", "m1"}})}, providers_of({"a"}), live);
  EXPECT_EQ(next.plan("fast").candidates[0].health->failures(), 0u);  // a fresh start
}

TEST(LiveState, ADeploymentListedByTwoAliasesHasOneHealth) {
  auto live = std::make_shared<LiveState>();
  Router router({alias("one", {{"a", "m1"}, {"a", "m2"}}), alias("two", {{"a", "m1"}, {"a", "m3"}})},
                providers_of({"a"}), live);
  EXPECT_EQ(router.plan("one").candidates[0].health, router.plan("two").candidates[0].health);
}

TEST(LiveState, DirectNamesAreBoundedLeastRecentlyUsedFirst) {
  auto live = std::make_shared<LiveState>(3);
  Router router({}, providers_of({"a"}), live);
  for (const char* model : {"x1", "x2", "x3"}) router.plan(std::string("a/") + model);
  router.plan("a/x1");  // used again: x2 is now the oldest
  router.plan("a/x4");
  EXPECT_EQ(live->direct_count(), 3u);
  std::vector<std::string> kept;
  live->for_each_direct([&](const std::string&, const std::string& model, const DeploymentHealth&) { kept.push_back(model); });
  EXPECT_EQ(kept, (std::vector<std::string>{"x4", "x1", "x3"}));
  for (int i = 0; i < 1000; ++i) router.plan("a/client-chosen-" + std::to_string(i));
  EXPECT_EQ(live->direct_count(), 3u);
}

TEST(LiveState, DirectNamesShareAConfiguredDeploymentsHealth) {
  auto live = std::make_shared<LiveState>();
  Router router({alias("fast", {{"a", "m1"}, {"a", "m2"}})}, providers_of({"a"}), live);
  EXPECT_EQ(router.plan("a/m1").candidates[0].health, router.plan("fast").candidates[0].health);
}

TEST(LiveState, KeyRotationOutlivesTheProvidersItWasMadeFor) {
  LiveState live;
  auto spec = mock_spec("a");
  auto rotation = live.key_rotation(providers::provider_identity(spec));
  rotation->current = 3;
  EXPECT_EQ(live.key_rotation(providers::provider_identity(spec))->current.load(), 3u);
  spec.base_url = "http://elsewhere";  // another upstream: its own rotation
  EXPECT_EQ(live.key_rotation(providers::provider_identity(spec))->current.load(), 0u);
}

}  // namespace
}  // namespace switchyard::routing
