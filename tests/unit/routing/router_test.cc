#include "routing/router.h"

#include <gtest/gtest.h>

namespace switchyard::routing {
namespace {

ProviderMap two_providers() {
  ProviderMap providers;
  for (const char* name : {"oai", "local"}) {
    providers::ProviderSpec spec;
    spec.name = name;
    spec.type = "mock";
    providers.emplace(name, providers::make_provider(spec).value());
  }
  return providers;
}

TEST(Router, ResolvesAnAliasToItsDeploymentsInOrder) {
  Router router({{"fast", {{"oai", "gpt-4o-mini"}, {"local", "llama3"}}}}, two_providers());
  auto plan = router.plan("fast");
  ASSERT_EQ(plan.size(), 2u);
  EXPECT_EQ(plan[0].provider->name(), "oai");
  EXPECT_EQ(plan[0].model, "gpt-4o-mini");
  EXPECT_EQ(plan[1].provider->name(), "local");
}

TEST(Router, ResolvesProviderSlashModel) {
  Router router({}, two_providers());
  auto plan = router.plan("oai/gpt-4.1");
  ASSERT_EQ(plan.size(), 1u);
  EXPECT_EQ(plan[0].provider->name(), "oai");
  EXPECT_EQ(plan[0].model, "gpt-4.1");
  // Models with slashes of their own (OpenRouter names) keep everything after the first.
  EXPECT_EQ(router.plan("local/meta-llama/llama-3-8b")[0].model, "meta-llama/llama-3-8b");
}

TEST(Router, AliasesWinOverProviderPrefixes) {
  Router router({{"oai/special", {{"local", "tuned"}}}}, two_providers());
  auto plan = router.plan("oai/special");
  ASSERT_EQ(plan.size(), 1u);
  EXPECT_EQ(plan[0].provider->name(), "local");
}

TEST(Router, UnknownNamesPlanNothing) {
  Router router({{"fast", {{"oai", "m"}}}}, two_providers());
  EXPECT_TRUE(router.plan("slow").empty());
  EXPECT_TRUE(router.plan("nobody/model").empty());
  EXPECT_TRUE(router.plan("oai/").empty());
  EXPECT_TRUE(router.plan("/model").empty());
}

}  // namespace
}  // namespace switchyard::routing
