#include "dialects/rate_limit_headers.h"

#include <gtest/gtest.h>

#include <map>

namespace switchyard {
namespace {

using std::chrono::milliseconds;

TEST(RateLimitHeaders, SpellsResetsAsOpenAIDoes) {
  EXPECT_EQ(openai_reset(milliseconds(20)), "20ms");
  EXPECT_EQ(openai_reset(milliseconds(6000)), "6s");
  EXPECT_EQ(openai_reset(milliseconds(1500)), "1.5s");
  EXPECT_EQ(openai_reset(milliseconds(360000)), "6m0s");
  EXPECT_EQ(openai_reset(milliseconds(3723000)), "1h2m3s");
}

std::map<std::string, std::string> headers_for(Dialect dialect, const RateLimitStatus& status) {
  std::map<std::string, std::string> out;
  auto now = std::chrono::sys_seconds(std::chrono::seconds(1'800'000'000));
  auto collect = [&](std::string_view name, std::string_view value) { out[std::string(name)] = std::string(value); };
  rate_limit_headers(dialect, status, now, collect);
  return out;
}

TEST(RateLimitHeaders, GivesTokenHeadersOnlyWhenATokenLimitApplies) {
  RateLimitStatus status;
  status.requests = RateLimitStatus::Window{10, 9, milliseconds(6000)};
  auto headers = headers_for(Dialect::openai_chat, status);
  EXPECT_EQ(headers.size(), 3u);
  EXPECT_EQ(headers["x-ratelimit-limit-requests"], "10");
  EXPECT_EQ(headers["x-ratelimit-remaining-requests"], "9");
  EXPECT_EQ(headers["x-ratelimit-reset-requests"], "6s");
}

TEST(RateLimitHeaders, AddsAnthropicsOwnForAnthropicClients) {
  RateLimitStatus status;
  status.requests = RateLimitStatus::Window{10, 9, milliseconds(6000)};
  status.tokens = RateLimitStatus::Window{1000, 400, milliseconds(36000)};
  auto headers = headers_for(Dialect::anthropic_messages, status);
  EXPECT_EQ(headers["x-ratelimit-remaining-tokens"], "400");
  EXPECT_EQ(headers["anthropic-ratelimit-requests-limit"], "10");
  EXPECT_EQ(headers["anthropic-ratelimit-tokens-remaining"], "400");
  EXPECT_EQ(headers["anthropic-ratelimit-requests-reset"], "2027-01-15T08:00:06Z");
  EXPECT_EQ(headers_for(Dialect::gemini, status).count("anthropic-ratelimit-requests-limit"), 0u);
}

}  // namespace
}  // namespace switchyard
