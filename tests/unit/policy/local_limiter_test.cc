#include "policy/local_limiter.h"

#include <gtest/gtest.h>

namespace switchyard::policy {
namespace {

constexpr std::int64_t kSecond = 1'000'000;  // microseconds
constexpr std::int64_t kStart = 1'800'000'000 * kSecond;

ReserveAsk ask_for(Limits limits, std::int64_t now_us, std::int64_t tokens = 0, Money cost = {}) {
  ReserveAsk ask;
  ask.scopes.push_back({"key:k", limits});
  ask.tokens = tokens;
  ask.cost = cost;
  ask.now_us = now_us;
  return ask;
}

TEST(LocalLimiter, AdmitsExactlyTheRequestsPerMinuteThenOneEachInterval) {
  LocalLimiter limiter;
  Limits limits;
  limits.rpm = 10;
  int admitted = 0;
  for (int i = 0; i < 30; ++i) admitted += limiter.reserve_now(ask_for(limits, kStart)).denial == Denial::none;
  EXPECT_EQ(admitted, 10);
  ReserveAnswer refused = limiter.reserve_now(ask_for(limits, kStart));
  EXPECT_EQ(refused.denial, Denial::requests);
  EXPECT_EQ(refused.retry_after.count(), 6000);  // one request's interval: 60 s / 10
  EXPECT_EQ(limiter.reserve_now(ask_for(limits, kStart + 5 * kSecond)).denial, Denial::requests);
  EXPECT_EQ(limiter.reserve_now(ask_for(limits, kStart + 6 * kSecond)).denial, Denial::none);
  EXPECT_EQ(limiter.reserve_now(ask_for(limits, kStart + 6 * kSecond)).denial, Denial::requests);
}

TEST(LocalLimiter, HasNoDoubleBurstAtAMinuteBoundary) {
  // A fixed window would take 10 at 0:59 and 10 more at 1:00; a sliding one takes 10 in any minute.
  LocalLimiter limiter;
  Limits limits;
  limits.rpm = 10;
  int admitted = 0;
  for (int i = 0; i < 10; ++i) admitted += limiter.reserve_now(ask_for(limits, kStart + 59 * kSecond)).denial == Denial::none;
  for (int i = 0; i < 10; ++i) admitted += limiter.reserve_now(ask_for(limits, kStart + 61 * kSecond)).denial == Denial::none;
  EXPECT_EQ(admitted, 10);
}

TEST(LocalLimiter, ReportsTheRequestsWindowWithThisRequestCounted) {
  LocalLimiter limiter;
  Limits limits;
  limits.rpm = 10;
  ReserveAnswer first = limiter.reserve_now(ask_for(limits, kStart));
  ASSERT_TRUE(first.status.requests);
  EXPECT_EQ(first.status.requests->limit, 10);
  EXPECT_EQ(first.status.requests->remaining, 9);
  EXPECT_EQ(first.status.requests->reset.count(), 6000);
  EXPECT_FALSE(first.status.tokens);  // no token limit: no token headers
}

TEST(LocalLimiter, SettlesTokensToWhatWasUsed) {
  LocalLimiter limiter;
  Limits limits;
  limits.tpm = 1000;
  ReserveAnswer big = limiter.reserve_now(ask_for(limits, kStart, 900));
  ASSERT_EQ(big.denial, Denial::none);
  EXPECT_EQ(limiter.reserve_now(ask_for(limits, kStart, 200)).denial, Denial::tokens);
  limiter.settle(big.reservation, 100, Money{});  // it used 100 of the 900 it reserved
  EXPECT_EQ(limiter.reserve_now(ask_for(limits, kStart, 800)).denial, Denial::none);
  EXPECT_EQ(limiter.reserve_now(ask_for(limits, kStart, 200)).denial, Denial::tokens);
}

TEST(LocalLimiter, ARequestLargerThanTheTokenLimitNeverFits) {
  LocalLimiter limiter;
  Limits limits;
  limits.tpm = 100;
  ReserveAnswer answer = limiter.reserve_now(ask_for(limits, kStart, 101));
  EXPECT_EQ(answer.denial, Denial::tokens);
}

TEST(LocalLimiter, HoldsParallelSlotsUntilSettled) {
  LocalLimiter limiter;
  Limits limits;
  limits.max_parallel = 2;
  ReserveAnswer a = limiter.reserve_now(ask_for(limits, kStart));
  ReserveAnswer b = limiter.reserve_now(ask_for(limits, kStart));
  ASSERT_EQ(a.denial, Denial::none);
  ASSERT_EQ(b.denial, Denial::none);
  ReserveAnswer c = limiter.reserve_now(ask_for(limits, kStart));
  EXPECT_EQ(c.denial, Denial::parallel);
  EXPECT_EQ(c.retry_after.count(), 1000);
  EXPECT_EQ(limiter.in_flight("key:k"), 2);
  limiter.settle(a.reservation, 0, Money{});
  EXPECT_EQ(limiter.in_flight("key:k"), 1);
  EXPECT_EQ(limiter.reserve_now(ask_for(limits, kStart)).denial, Denial::none);
}

TEST(LocalLimiter, RefusesAWorstCaseThatDoesNotFitTheBudgetAndCountsRealSpend) {
  LocalLimiter limiter;
  Limits limits;
  limits.budget = Budget{Money{1000}, BudgetPeriod::day};
  ReserveAnswer first = limiter.reserve_now(ask_for(limits, kStart, 0, Money{600}));
  ASSERT_EQ(first.denial, Denial::none);
  // 600 held: a second worst case of 600 would overrun the budget.
  ReserveAnswer second = limiter.reserve_now(ask_for(limits, kStart, 0, Money{600}));
  EXPECT_EQ(second.denial, Denial::budget);
  ASSERT_TRUE(second.budget_resets_at);
  EXPECT_EQ(*second.budget_resets_at, period_end(BudgetPeriod::day, kStart / kSecond).value());
  limiter.settle(first.reservation, 10, Money{250});  // it really cost 250
  ReserveAnswer third = limiter.reserve_now(ask_for(limits, kStart, 0, Money{750}));
  EXPECT_EQ(third.denial, Denial::none);
  EXPECT_EQ(limiter.reserve_now(ask_for(limits, kStart, 0, Money{1})).denial, Denial::budget);
  limiter.settle(third.reservation, 10, Money{750});
  EXPECT_EQ(limiter.reserve_now(ask_for(limits, kStart, 0, Money{1})).denial, Denial::budget);  // 1000 spent
  // The next day the budget is whole again.
  EXPECT_EQ(limiter.reserve_now(ask_for(limits, kStart + 86400 * kSecond, 0, Money{1000})).denial, Denial::none);
}

TEST(LocalLimiter, TakesNothingWhenTheTeamRefuses) {
  LocalLimiter limiter;
  Limits key_limits, team_limits;
  key_limits.rpm = 100;
  team_limits.max_parallel = 1;
  ReserveAsk ask;
  ask.scopes = {{"key:a", key_limits}, {"team:t", team_limits}};
  ask.now_us = kStart;
  ReserveAnswer held = limiter.reserve_now(ask);
  ASSERT_EQ(held.denial, Denial::none);
  ReserveAnswer refused = limiter.reserve_now(ask);
  EXPECT_EQ(refused.denial, Denial::parallel);
  EXPECT_EQ(refused.scope, "team:t");
  // The key's request window lost nothing to the refused request: 98 more fit, not 97.
  int admitted = 0;
  limiter.settle(held.reservation, 0, Money{});
  for (int i = 0; i < 200; ++i) {
    ReserveAnswer answer = limiter.reserve_now(ask);
    if (answer.denial != Denial::none) break;
    ++admitted;
    limiter.settle(answer.reservation, 0, Money{});
  }
  EXPECT_EQ(admitted, 99);
}

TEST(BudgetPeriods, StartAndEndOnCalendarBoundariesInUtc) {
  // 2026-12-09 (a Wednesday) 15:30:00 UTC.
  std::int64_t now = 1'796'830'200;
  EXPECT_EQ(period_start(BudgetPeriod::day, now), 1'796'774'400);    // 2026-12-09T00:00Z
  EXPECT_EQ(period_end(BudgetPeriod::day, now).value(), 1'796'860'800);
  EXPECT_EQ(period_start(BudgetPeriod::week, now), 1'796'601'600);   // Monday 2026-12-07
  EXPECT_EQ(period_end(BudgetPeriod::week, now).value(), 1'797'206'400);
  EXPECT_EQ(period_start(BudgetPeriod::month, now), 1'796'083'200);  // 2026-12-01
  EXPECT_EQ(period_end(BudgetPeriod::month, now).value(), 1'798'761'600);  // 2027-01-01
  EXPECT_EQ(period_start(BudgetPeriod::total, now), 0);
  EXPECT_FALSE(period_end(BudgetPeriod::total, now));
}

}  // namespace
}  // namespace switchyard::policy

namespace switchyard::policy {
namespace {

TEST(LocalLimiter, TakesLimitsBeyondOnePerNanosecond) {
  LocalLimiter limiter;
  Limits limits;
  limits.tpm = 1'000'000'000'000;  // more than a minute has nanoseconds
  ReserveAsk ask;
  ask.scopes.push_back({"key:huge", limits});
  ask.tokens = 1000;
  ask.now_us = 1'800'000'000'000'000;
  ReserveAnswer answer = limiter.reserve_now(ask);
  EXPECT_EQ(answer.denial, Denial::none);
  ASSERT_TRUE(answer.status.tokens);
  EXPECT_GT(answer.status.tokens->remaining, 0);
}

}  // namespace
}  // namespace switchyard::policy
