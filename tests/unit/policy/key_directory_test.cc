#include "policy/key_directory.h"

#include <gtest/gtest.h>

#include "policy/key_records.h"
#include "policy/key_secret.h"

namespace switchyard::policy {
namespace {

constexpr std::int64_t kNow = 1'800'000'000;

VirtualKey key_with(const std::string& id, const std::string& secret) {
  VirtualKey key;
  key.id = id;
  key.name = id + "-name";
  key.key_prefix = display_prefix(secret);
  key.secrets.push_back({secret_hash(secret), std::nullopt});
  return key;
}

TEST(KeySecret, HasThePrefixAnd256BitsOfBase64url) {
  std::string a = new_secret(), b = new_secret();
  EXPECT_TRUE(a.starts_with("sk-sy-"));
  EXPECT_EQ(a.size(), 6u + 43u);
  EXPECT_NE(a, b);
  EXPECT_EQ(a.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_", 6), std::string::npos);
  EXPECT_EQ(secret_hash(a).size(), 32u);
  EXPECT_EQ(secret_hash(a), secret_hash(a));
  EXPECT_NE(secret_hash(a), secret_hash(b));
  EXPECT_EQ(display_prefix(a), a.substr(0, 10));
}

TEST(KeyRecords, RoundTripEveryFieldButNoSecret) {
  std::string secret = new_secret();
  VirtualKey key = key_with("key_1", secret);
  key.team_id = "team_1";
  key.models = {"fast", "openai/*"};
  key.limits.rpm = 10;
  key.limits.tpm = 1000;
  key.limits.max_parallel = 2;
  key.limits.budget = Budget{Money{50'000'000'000}, BudgetPeriod::week};
  key.expires_at = kNow + 60;
  key.metadata = R"({"owner":"ci"})";
  key.created_at = kNow;
  key.secrets.push_back({secret_hash("old-secret-of-this-key"), kNow + 30});
  std::string document = key_document(key);
  EXPECT_EQ(document.find(secret), std::string::npos);
  std::optional<VirtualKey> back = key_from_document(document);
  ASSERT_TRUE(back);
  EXPECT_EQ(back->id, "key_1");
  EXPECT_EQ(back->team_id, "team_1");
  EXPECT_EQ(back->models, key.models);
  EXPECT_EQ(back->limits.rpm, 10);
  EXPECT_EQ(back->limits.tpm, 1000);
  EXPECT_EQ(back->limits.max_parallel, 2);
  ASSERT_TRUE(back->limits.budget);
  EXPECT_EQ(back->limits.budget->usd.pico, 50'000'000'000);
  EXPECT_EQ(back->limits.budget->period, BudgetPeriod::week);
  EXPECT_EQ(back->expires_at, kNow + 60);
  EXPECT_EQ(back->metadata, R"({"owner":"ci"})");
  ASSERT_EQ(back->secrets.size(), 2u);
  EXPECT_EQ(back->secrets[0].sha256, secret_hash(secret));
  EXPECT_EQ(back->secrets[1].valid_until, kNow + 30);
  EXPECT_FALSE(key_from_document("not json"));
}

TEST(KeyDirectory, FindsAValidKeyByItsSecretOnly) {
  KeyDirectory directory(nullptr);
  std::string secret = new_secret();
  VirtualKey key = key_with("key_1", secret);
  directory.set_config_keys({key});
  auto match = directory.find(secret, kNow);
  ASSERT_TRUE(match);
  EXPECT_EQ(match->entry->key.id, "key_1");
  EXPECT_EQ(match->entry->last_used_at->load(), kNow);
  EXPECT_FALSE(directory.find(secret + "x", kNow));
  EXPECT_FALSE(directory.find("", kNow));
}

TEST(KeyDirectory, RefusesRevokedExpiredAndPastGraceKeys) {
  KeyDirectory directory(nullptr);
  std::string revoked = new_secret(), expired = new_secret(), rotated = new_secret(), current = new_secret();
  VirtualKey a = key_with("a", revoked);
  a.revoked = true;
  VirtualKey b = key_with("b", expired);
  b.expires_at = kNow;
  VirtualKey c = key_with("c", current);
  c.secrets.push_back({secret_hash(rotated), kNow + 30});
  directory.set_config_keys({a, b, c});
  EXPECT_FALSE(directory.find(revoked, kNow));
  EXPECT_FALSE(directory.find(expired, kNow));
  EXPECT_TRUE(directory.find(expired, kNow - 1));
  EXPECT_TRUE(directory.find(current, kNow + 3600));
  EXPECT_TRUE(directory.find(rotated, kNow + 29));
  EXPECT_FALSE(directory.find(rotated, kNow + 30));
}

TEST(KeyDirectory, AKeyOfARevokedOrMissingTeamStopsWorking) {
  KeyDirectory directory(nullptr);
  std::string secret = new_secret();
  VirtualKey key = key_with("a", secret);
  key.team_id = "team_x";
  directory.set_config_keys({key});
  EXPECT_FALSE(directory.find(secret, kNow));  // no such team
}

TEST(ModelAccess, AllowsListedAliasesAndProviderPatterns) {
  std::vector<std::string> models = {"fast", "openai/*"};
  EXPECT_TRUE(allows_model(models, "fast"));
  EXPECT_TRUE(allows_model(models, "openai/gpt-4o"));
  EXPECT_FALSE(allows_model(models, "openai/"));
  EXPECT_FALSE(allows_model(models, "slow"));
  EXPECT_FALSE(allows_model(models, "anthropic/claude"));
  EXPECT_FALSE(allows_model(models, "openaix/gpt"));
  EXPECT_TRUE(allows_model({}, "anything"));
}

}  // namespace
}  // namespace switchyard::policy
