// The built-in price table: models are found by the catalogue's own rules, and a usage is
// priced with the tier and the dated price in force, checked against figures worked out by
// hand from data/prices.json.
#include "pricing/price_table.h"

#include <gtest/gtest.h>

namespace switchyard::pricing {
namespace {

using namespace std::chrono;

const sys_days kDay = sys_days(year(2026) / December / 7);

const ModelPrice* find(std::string_view catalogue, std::string_view model) {
  return PriceTable::builtin().find(catalogue, model);
}

Usage usage(std::int64_t input, std::int64_t output, std::int64_t cache_read = 0, std::int64_t cache_write = 0,
            std::int64_t reasoning = 0) {
  return Usage{input, output, cache_read, cache_write, reasoning, true};
}

std::string cost(std::string_view catalogue, std::string_view model, const Usage& used, sys_days day = kDay) {
  const ModelPrice* price = find(catalogue, model);
  if (!price) return "no price";
  std::optional<Money> amount = cost_of(used, *price, day);
  return amount ? format_usd(*amount) : "unknown";
}

TEST(PriceTable, TheBuiltInTableParsesAndCoversTheThreeVendors) {
  const PriceTable& table = PriceTable::builtin();
  EXPECT_EQ(table.source(), "@pydantic/genai-prices 0.1.8");
  EXPECT_GT(table.size(), 150u);
  EXPECT_NE(find("openai", "gpt-4o"), nullptr);
  EXPECT_NE(find("anthropic", "claude-sonnet-4-5-20250929"), nullptr);
  EXPECT_NE(find("gemini", "gemini-2.5-flash"), nullptr);
  EXPECT_EQ(find("nobody", "gpt-4o"), nullptr);
}

TEST(PriceTable, FindsModelsByTheCataloguesRules) {
  EXPECT_EQ(find("openai", "gpt-4o")->id, "gpt-4o");                       // equals
  EXPECT_EQ(find("openai", "GPT-4o-2024-08-06")->id, "gpt-4o");            // case does not matter
  EXPECT_EQ(find("openai", "gpt-4o-mini")->id, "gpt-4o-mini");             // not priced as gpt-4o
  EXPECT_EQ(find("openai", "gpt-5-nano-2025-08-07")->id, "gpt-5-nano");    // starts_with
  EXPECT_EQ(find("anthropic", "claude-opus-4-20250514")->id, "claude-opus-4-0");
  EXPECT_EQ(find("anthropic", "claude-haiku-4-5-20251001")->id, "claude-haiku-4-5");
  EXPECT_EQ(find("gemini", "gemini-2.0-flash-001")->id, "gemini-2.0-flash");  // contains
  // and + regex: the preview matches, its text-to-speech sibling does not.
  EXPECT_EQ(find("gemini", "gemini-2.5-flash-lite-preview-06-17")->id, "gemini-2.5-flash-lite");
  EXPECT_EQ(find("gemini", "gemini-2.5-flash-lite-preview-tts")->id, "gemini-2.5-flash-lite-preview-tts");
  EXPECT_EQ(find("gemini", "gemini-3.5-flash-002")->id, "gemini-3.5-flash");  // regex ^gemini-3\.5-flash-\d
  EXPECT_EQ(find("openai", "my-own-model"), nullptr);
  // Asked again, the same answer (from the memo).
  EXPECT_EQ(find("openai", "my-own-model"), nullptr);
  EXPECT_EQ(find("openai", "gpt-4o-2024-08-06"), find("openai", "gpt-4o"));
}

// Each figure worked out by hand from data/prices.json's prices per million tokens
// (tests/structure/prices.test.mjs checks the file still has them).
TEST(PriceTable, PricesGoldenUsagesAsWorkedOutByHand) {
  // gpt-4o: 2.5 / 10 / cached 1.25. 1200 in (1000 cached), 300 out:
  // 200 × 2.5 + 1000 × 1.25 + 300 × 10 = 500 + 1,250 + 3,000 µ$.
  EXPECT_EQ(cost("openai", "gpt-4o", usage(1200, 300, 1000)), "0.004750000000");
  // o4-mini-like reasoning on gpt-5-mini: 0.25 / 2 / cached 0.025. 4000 in, 6000 out (5000 reasoning):
  // 4000 × 0.25 + 6000 × 2 = 1,000 + 12,000 µ$.
  EXPECT_EQ(cost("openai", "gpt-5-mini", usage(4000, 6000, 0, 0, 5000)), "0.013000000000");
  // gpt-5-nano: 0.05 / 0.4 / cached 0.005. 10 in (8 cached), 1 out: 2 × 0.05 + 8 × 0.005 + 0.4 = 0.1 + 0.04 + 0.4 µ$.
  EXPECT_EQ(cost("openai", "gpt-5-nano", usage(10, 1, 8)), "0.000000540000");
  // gpt-3.5-turbo has no cache price: cached tokens are billed as input. 0.5 / 1.5:
  // 100 × 0.5 + 10 × 1.5 = 50 + 15 µ$ whether or not 60 were cached.
  EXPECT_EQ(cost("openai", "gpt-3.5-turbo", usage(100, 10, 60)), "0.000065000000");
  // claude-sonnet-4-5: 3 / 15 / read 0.3 / write 3.75, and above 200k input 6 / 22.5 / 0.6 / 7.5.
  // 1000 in = 100 uncached + 500 read + 400 written; 200 out:
  // 300 + 150 + 1,500 + 3,000 µ$.
  EXPECT_EQ(cost("anthropic", "claude-sonnet-4-5-20250929", usage(1000, 200, 500, 400)), "0.004950000000");
  // The same model past its long-context threshold: 250,000 in (50,000 read), 1000 out, every
  // kind at the tier's price: 200,000 × 6 + 50,000 × 0.6 + 1000 × 22.5 = 1,200,000 + 30,000 + 22,500 µ$.
  EXPECT_EQ(cost("anthropic", "claude-sonnet-4-5", usage(250000, 1000, 50000)), "1.252500000000");
  // Exactly at the threshold is still the base price: 200,000 × 3 = 600,000 µ$.
  EXPECT_EQ(cost("anthropic", "claude-sonnet-4-5", usage(200000, 0)), "0.600000000000");
  // claude-haiku-4-5: 1 / 5 / 0.1 / 1.25; thinking is output. 20 in (all written), 3000 out:
  // 20 × 1.25 + 3000 × 5 = 25 + 15,000 µ$.
  EXPECT_EQ(cost("anthropic", "claude-haiku-4-5", usage(20, 3000, 0, 20, 2500)), "0.015025000000");
  // claude-opus-4-0: 15 / 75 / 1.5 / 18.75. 1 in, 1 out: 15 + 75 µ$.
  EXPECT_EQ(cost("anthropic", "claude-opus-4-20250514", usage(1, 1)), "0.000090000000");
  // gemini-2.5-flash: 0.3 / 2.5 / cached 0.03; thoughts are output. 500 in (100 cached), 900 out (800 thoughts):
  // 400 × 0.3 + 100 × 0.03 + 900 × 2.5 = 120 + 3 + 2,250 µ$.
  EXPECT_EQ(cost("gemini", "gemini-2.5-flash", usage(500, 900, 100, 0, 800)), "0.002373000000");
  // gemini-2.5-pro: 1.25 / 10 / 0.125, above 200k 2.5 / 15 / 0.25. 300,000 in, 2000 out:
  // 300,000 × 2.5 + 2000 × 15 = 750,000 + 30,000 µ$.
  EXPECT_EQ(cost("gemini", "gemini-2.5-pro", usage(300000, 2000)), "0.780000000000");
  // An embedding model has no output price: input alone. 1000 × 0.15 µ$.
  EXPECT_EQ(cost("gemini", "gemini-embedding-001", usage(1000, 0)), "0.000150000000");
}

TEST(PriceTable, PricesChangeOnTheirDate) {
  // gemini-3.6-flash: 0.75 / 3.75 until 2027-01-01, then 1.5 / 7.5. 1000 in, 1000 out.
  EXPECT_EQ(cost("gemini", "gemini-3.6-flash", usage(1000, 1000), sys_days(year(2026) / December / 31)),
            "0.004500000000");
  EXPECT_EQ(cost("gemini", "gemini-3.6-flash", usage(1000, 1000), sys_days(year(2027) / January / 1)),
            "0.009000000000");
}

TEST(PriceTable, UnknownPricesStayUnknown) {
  // gemma-3 is listed without prices: its cost is unknown, not zero.
  EXPECT_EQ(cost("gemini", "gemma-3-27b-it", usage(10, 10)), "unknown");
  // Output tokens from a model listed without an output price cannot be priced either.
  EXPECT_EQ(cost("gemini", "gemini-embedding-001", usage(10, 10)), "unknown");
}

TEST(PriceTable, RefusesTablesThatAreNotPriceTables) {
  std::string error;
  EXPECT_FALSE(PriceTable::parse("[", error));
  EXPECT_FALSE(PriceTable::parse(R"({"providers": {"x": [{"id": "m", "match": {"equals": "m"},
      "prices": {"input": {"base": "0.1234567"}}}]}})", error));
  EXPECT_NE(error.find("not an exact price"), std::string::npos) << error;
  EXPECT_FALSE(PriceTable::parse(R"({"providers": {"x": [{"id": "m", "match": {"regex": "("},
      "prices": {"input": {"base": "1"}}}]}})", error));
  EXPECT_NE(error.find("regex"), std::string::npos) << error;
  EXPECT_FALSE(PriceTable::parse(R"({"providers": {"x": [{"id": "m", "match": {"like": "m"},
      "prices": {"input": {"base": "1"}}}]}})", error));
  auto table = PriceTable::parse(R"({"providers": {"x": [{"id": "m", "match": {"equals": "m"},
      "prices": {"input": {"base": "1", "tiers": [{"start": 10, "price": "2"}]}, "output": null}}]}})", error);
  ASSERT_TRUE(table) << error;
  EXPECT_EQ(cost_of(usage(11, 0), *table->find("x", "M"), kDay), Money{22'000'000});
}

TEST(ConfiguredPrice, BillsCacheAsInputUnlessPriced) {
  ModelPrice price = configured_price(2'500'000, 10'000'000, {}, {});
  EXPECT_EQ(cost_of(usage(100, 10, 50, 50), price, kDay), Money{100 * 2'500'000 + 10 * 10'000'000});
  ModelPrice split = configured_price(2'500'000, 10'000'000, 1'250'000, 3'750'000);
  EXPECT_EQ(cost_of(usage(100, 10, 50, 20), split, kDay),
            Money{30 * 2'500'000 + 50 * 1'250'000 + 20 * 3'750'000 + 10 * 10'000'000});
}

}  // namespace
}  // namespace switchyard::pricing
