// Money is exact: prices parse to pico-dollars per token without rounding, amounts print
// every digit, and a usage's cost is integer arithmetic that the golden figures below,
// worked out by hand, confirm (OpenAI with cached input and reasoning, Anthropic with its
// cache split, Gemini with thinking).
#include "core/money.h"

#include <gtest/gtest.h>

#include <limits>

namespace switchyard {
namespace {

TEST(Money, ParsesDollarsPerMillionTokensExactly) {
  EXPECT_EQ(parse_usd_per_million_tokens("2.50"), 2'500'000);  // $2.50 / 1M tokens = 2.5 µ$ a token
  EXPECT_EQ(parse_usd_per_million_tokens("10"), 10'000'000);
  EXPECT_EQ(parse_usd_per_million_tokens("0.075"), 75'000);
  EXPECT_EQ(parse_usd_per_million_tokens("0.000001"), 1);
  EXPECT_EQ(parse_usd_per_million_tokens("0"), 0);
  EXPECT_EQ(parse_usd_per_million_tokens("0.1"), 100'000);  // exact: 0.1 has no binary fraction here
  for (std::string_view bad : {"", ".5", "5.", "-1", "+1", "1e3", " 1", "1 ", "1,5", "0.0000001", "1.2.3", "abc",
                               "99999999999999999999"}) {
    EXPECT_FALSE(parse_usd_per_million_tokens(bad)) << bad;
  }
}

TEST(Money, PrintsPricesBackAsTheyAreWritten) {
  for (const char* text : {"2.5", "0", "10", "0.000001", "1.25", "123456.123456"}) {
    EXPECT_EQ(format_usd_per_million_tokens(*parse_usd_per_million_tokens(text)), text);
  }
}

TEST(Money, PrintsEveryDigit) {
  EXPECT_EQ(format_usd(Money{0}), "0.000000000000");
  EXPECT_EQ(format_usd(Money{1}), "0.000000000001");
  EXPECT_EQ(format_usd(Money{12'345'000'000}), "0.012345000000");
  EXPECT_EQ(format_usd(Money{1'000'000'000'000}), "1.000000000000");
  EXPECT_EQ(format_usd(Money{-1'500'000'000'000}), "-1.500000000000");
  EXPECT_EQ(format_usd(Money{std::numeric_limits<std::int64_t>::max()}), "9223372.036854775807");
  EXPECT_EQ(format_usd(Money{std::numeric_limits<std::int64_t>::min()}), "-9223372.036854775808");
}

TokenPrices per_million(std::string_view input, std::string_view output, std::string_view cache_read,
                        std::string_view cache_write) {
  return TokenPrices{*parse_usd_per_million_tokens(input), *parse_usd_per_million_tokens(output),
                     *parse_usd_per_million_tokens(cache_read), *parse_usd_per_million_tokens(cache_write)};
}

Usage usage(std::int64_t input, std::int64_t output, std::int64_t cache_read = 0, std::int64_t cache_write = 0,
            std::int64_t reasoning = 0) {
  return Usage{input, output, cache_read, cache_write, reasoning, true};
}

struct Golden {
  const char* what;
  Usage usage;
  TokenPrices prices;
  const char* cost;  // worked out by hand, in dollars
};

TEST(Money, CostsTheGoldenUsagesAsWorkedOutByHand) {
  // Prices per million tokens: input, output, cache read, cache write, as data/prices.json
  // has them (tests/structure/prices.test.mjs checks they still do).
  const TokenPrices gpt4o = per_million("2.50", "10", "1.25", "0");
  const TokenPrices gpt4o_mini = per_million("0.15", "0.60", "0.075", "0");
  const TokenPrices o3 = per_million("2", "8", "0.50", "0");
  const TokenPrices sonnet = per_million("3", "15", "0.30", "3.75");
  const TokenPrices haiku = per_million("1", "5", "0.10", "1.25");
  const TokenPrices flash = per_million("0.30", "2.50", "0.03", "0");
  const TokenPrices pro = per_million("1.25", "10", "0.125", "0");
  const Golden golden[] = {
      // 1000 × 2.5 µ$ + 500 × 10 µ$ = 2,500 + 5,000 µ$ = 0.0075 $
      {"gpt-4o plain", usage(1000, 500), gpt4o, "0.007500000000"},
      // 2345 input of which 2048 cached: 297 × 2.5 + 2048 × 1.25 + 187 × 10 = 742.5 + 2,560 + 1,870 µ$
      {"gpt-4o cached", usage(2345, 187, 2048), gpt4o, "0.005172500000"},
      // 19 × 0.15 + 3 × 0.60 = 2.85 + 1.8 µ$
      {"gpt-4o-mini hello", usage(19, 3), gpt4o_mini, "0.000004650000"},
      // 1 × 0.15 µ$: a single token
      {"gpt-4o-mini one token", usage(1, 0), gpt4o_mini, "0.000000150000"},
      // 100,000 × 0.15 + 20,000 × 0.60 = 15,000 + 12,000 µ$
      {"gpt-4o-mini large", usage(100000, 20000), gpt4o_mini, "0.027000000000"},
      // 5000 in, 3000 cached: 2000 × 0.15 + 3000 × 0.075 + 400 × 0.6 = 300 + 225 + 240 µ$
      {"gpt-4o-mini cached", usage(5000, 400, 3000), gpt4o_mini, "0.000765000000"},
      // reasoning is output: 200 × 2 + 1200 × 8 (1000 of them reasoning) = 400 + 9,600 µ$
      {"o3 reasoning", usage(200, 1200, 0, 0, 1000), o3, "0.010000000000"},
      // 1000 in, 800 cached: 200 × 2 + 800 × 0.5 + 50 × 8 = 400 + 400 + 400 µ$
      {"o3 cached", usage(1000, 50, 800), o3, "0.001200000000"},
      // Anthropic: input counts reads and writes. 12 uncached + 0 + 0: 12 × 3 + 5 × 15 = 36 + 75 µ$
      {"sonnet hello", usage(12, 5), sonnet, "0.000111000000"},
      // 25 uncached, 380 read, 0 written: 25 × 3 + 380 × 0.3 + 89 × 15 = 75 + 114 + 1,335 µ$
      {"sonnet cache read", usage(405, 89, 380), sonnet, "0.001524000000"},
      // 10 uncached, 0 read, 2000 written: 10 × 3 + 2000 × 3.75 + 100 × 15 = 30 + 7,500 + 1,500 µ$
      {"sonnet cache write", usage(2010, 100, 0, 2000), sonnet, "0.009030000000"},
      // 50 uncached, 1000 read, 500 written: 150 + 300 + 1,875 + 20 × 15 (300) µ$
      {"sonnet read and write", usage(1550, 20, 1000, 500), sonnet, "0.002625000000"},
      // thinking is output: 30 × 3 + 2000 × 15 = 90 + 30,000 µ$
      {"sonnet thinking", usage(30, 2000, 0, 0, 1800), sonnet, "0.030090000000"},
      // 7 × 1 + 3 × 5 = 7 + 15 µ$
      {"haiku short", usage(7, 3), haiku, "0.000022000000"},
      // 100 uncached, 900 read, 1000 written: 100 + 90 + 1,250 + 10 × 5 (50) µ$
      {"haiku caches", usage(2000, 10, 900, 1000), haiku, "0.001490000000"},
      // Gemini: thoughts are output. 8 × 0.3 + (2 + 20) × 2.5 = 2.4 + 55 µ$
      {"flash thinking", usage(8, 22, 0, 0, 20), flash, "0.000057400000"},
      // 75 × 0.3 + (30 + 45) × 2.5 = 22.5 + 187.5 µ$
      {"flash function call", usage(75, 75, 0, 0, 45), flash, "0.000210000000"},
      // 1000 in, 600 cached: 400 × 0.3 + 600 × 0.03 + 100 × 2.5 = 120 + 18 + 250 µ$
      {"flash cached", usage(1000, 100, 600), flash, "0.000388000000"},
      // 10,000 × 1.25 + 4,000 × 10 (3,000 thoughts) = 12,500 + 40,000 µ$
      {"pro thinking", usage(10000, 4000, 0, 0, 3000), pro, "0.052500000000"},
      // 3 × 1.25 + 1 × 10 = 3.75 + 10 µ$
      {"pro tiny", usage(3, 1), pro, "0.000013750000"},
      // nothing used costs nothing
      {"empty", usage(0, 0), sonnet, "0.000000000000"},
  };
  for (const Golden& g : golden) {
    std::optional<Money> cost = cost_of(g.usage, g.prices);
    ASSERT_TRUE(cost) << g.what;
    EXPECT_EQ(format_usd(*cost), g.cost) << g.what;
  }
}

TEST(Money, RefusesUsagesThatContradictThemselves) {
  const TokenPrices prices{1, 1, 1, 1};
  EXPECT_FALSE(cost_of(usage(10, 0, 8, 5), prices));  // more cached than the input
  EXPECT_FALSE(cost_of(usage(-1, 0), prices));
  EXPECT_FALSE(cost_of(usage(std::numeric_limits<std::int64_t>::max(), 0), TokenPrices{10, 0, 0, 0}));  // too large
}

}  // namespace
}  // namespace switchyard

namespace switchyard {
namespace {

TEST(ParseUsd, ReadsBudgetsExactlyToThePicoDollar) {
  EXPECT_EQ(parse_usd("0.05")->pico, 50'000'000'000);
  EXPECT_EQ(parse_usd("25")->pico, 25'000'000'000'000);
  EXPECT_EQ(parse_usd("0.000000000001")->pico, 1);
  EXPECT_FALSE(parse_usd("0.0000000000001"));  // finer than a pico-dollar
  EXPECT_FALSE(parse_usd("-1"));
  EXPECT_FALSE(parse_usd("1e3"));
  EXPECT_FALSE(parse_usd(""));
  EXPECT_FALSE(parse_usd("9999999999"));  // past what an int64 of pico-dollars holds
}

}  // namespace
}  // namespace switchyard
