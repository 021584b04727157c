// The embedded ledger store against a real SQLite file: rows are written once whatever is
// replayed, usage groups add up with nearest-rank latency percentiles, and requests page
// newest first through their cursor with every filter.
#include "store/sqlite_ledger_store.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "store/sqlite_response_store.h"

namespace switchyard::store {
namespace {

using ledger::LedgerRow;

constexpr std::int64_t kHour = 3'600'000'000;
constexpr std::int64_t kDay0 = 1'796'601'600'000'000;  // 2026-12-07T00:00:00Z

LedgerRow row(std::string id, std::int64_t started, std::string model, std::int64_t latency_us, int status = 200) {
  LedgerRow out;
  out.request_id = std::move(id);
  out.started_at_us = started;
  out.dialect = "openai";
  out.operation = "generate";
  out.model = std::move(model);
  out.provider = "p";
  out.status = status;
  if (status >= 400) out.error_kind = "rate_limited";
  out.input_tokens = 10;
  out.output_tokens = 5;
  out.cache_read_tokens = 4;
  out.reasoning_tokens = 1;
  out.cost_pico = 1'000;
  out.usage_source = "reported";
  out.latency_us = latency_us;
  return out;
}

class SqliteLedgerStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("sy-ledger-" + std::to_string(::getpid()) + "-" +
                                                      ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    auto opened = SqliteLedgerStore::open((dir_ / "switchyard.db").string());
    ASSERT_TRUE(opened) << opened.error().message;
    store_ = std::move(opened.value());
  }
  void TearDown() override {
    store_.reset();
    std::filesystem::remove_all(dir_);
  }

  std::filesystem::path dir_;
  std::unique_ptr<SqliteLedgerStore> store_;
};

TEST_F(SqliteLedgerStoreTest, ARowWrittenTwiceIsKeptOnce) {
  std::vector<LedgerRow> rows = {row("a", kDay0, "m", 100), row("b", kDay0 + 1, "m", 200)};
  rows[1].key_id = "key_1";
  rows[1].cost_pico.reset();
  rows[1].ttft_us = 42;
  auto first = store_->write(rows);
  ASSERT_TRUE(first) << first.error().message;
  EXPECT_EQ(first.value(), 2);
  auto again = store_->write(rows);
  ASSERT_TRUE(again);
  EXPECT_EQ(again.value(), 0);
  auto page = store_->requests({});
  ASSERT_TRUE(page);
  ASSERT_EQ(page.value().rows.size(), 2u);
  EXPECT_EQ(page.value().rows[0], rows[1]);  // newest first, every field as written
  EXPECT_EQ(page.value().rows[1], rows[0]);
}

TEST_F(SqliteLedgerStoreTest, TheResponseStoreAndTheLedgerShareOneSchema) {
  auto responses = SqliteResponseStore::open((dir_ / "switchyard.db").string());
  ASSERT_TRUE(responses) << responses.error().message;
  EXPECT_EQ(responses.value()->schema_version(), 4);
}

TEST_F(SqliteLedgerStoreTest, UsageGroupsAddUpWithNearestRankPercentiles) {
  std::vector<LedgerRow> rows;
  // Model "a": latencies 1..20 ms. p50 is the 10th (10 ms), p95 the 19th (19 ms).
  for (int i = 1; i <= 20; ++i) rows.push_back(row("a" + std::to_string(i), kDay0 + i, "a", i * 1000, i == 20 ? 429 : 200));
  // Model "b": one request in the next hour, its price unknown.
  rows.push_back(row("b1", kDay0 + kHour + 5, "b", 7000));
  rows.back().cost_pico.reset();
  // Outside the range asked for.
  rows.push_back(row("late", kDay0 + 3 * kHour, "a", 1));
  ASSERT_TRUE(store_->write(rows));

  auto by_model = store_->usage({kDay0, kDay0 + 2 * kHour, ledger::GroupBy::model});
  ASSERT_TRUE(by_model) << by_model.error().message;
  ASSERT_EQ(by_model.value().size(), 2u);
  const ledger::UsageGroup& a = by_model.value()[0];
  EXPECT_EQ(a.group, "a");
  EXPECT_EQ(a.requests, 20);
  EXPECT_EQ(a.errors, 1);
  EXPECT_EQ(a.input_tokens, 200);
  EXPECT_EQ(a.output_tokens, 100);
  EXPECT_EQ(a.cache_read_tokens, 80);
  EXPECT_EQ(a.reasoning_tokens, 20);
  EXPECT_EQ(a.cost_pico, 20'000);
  EXPECT_EQ(a.unpriced_requests, 0);
  EXPECT_EQ(a.latency_p50_us, 10'000);
  EXPECT_EQ(a.latency_p95_us, 19'000);
  const ledger::UsageGroup& b = by_model.value()[1];
  EXPECT_EQ(b.cost_pico, 0);
  EXPECT_EQ(b.unpriced_requests, 1);
  EXPECT_EQ(b.latency_p50_us, 7000);
  EXPECT_EQ(b.latency_p95_us, 7000);

  auto by_hour = store_->usage({kDay0, kDay0 + 2 * kHour, ledger::GroupBy::hour});
  ASSERT_TRUE(by_hour);
  ASSERT_EQ(by_hour.value().size(), 2u);
  EXPECT_EQ(by_hour.value()[0].group, "2026-12-07T00:00:00.000000Z");
  EXPECT_EQ(by_hour.value()[0].requests, 20);
  EXPECT_EQ(by_hour.value()[1].group, "2026-12-07T01:00:00.000000Z");

  auto by_key = store_->usage({kDay0, kDay0 + 4 * kHour, ledger::GroupBy::key});
  ASSERT_TRUE(by_key);
  ASSERT_EQ(by_key.value().size(), 1u);
  EXPECT_EQ(by_key.value()[0].group, "");  // no key: null
  EXPECT_EQ(by_key.value()[0].requests, 22);
}

TEST_F(SqliteLedgerStoreTest, RequestsPageNewestFirstThroughTheirCursor) {
  std::vector<LedgerRow> rows;
  for (int i = 0; i < 25; ++i) {
    // Pairs share a start time: the id breaks the tie, so no row is skipped or repeated.
    rows.push_back(row("r" + std::to_string(100 + i), kDay0 + i / 2, i % 3 == 0 ? "x" : "y", 10, i % 5 == 0 ? 500 : 200));
    if (i % 4 == 0) rows.back().key_id = "k";
  }
  ASSERT_TRUE(store_->write(rows));
  std::vector<std::string> seen;
  ledger::RequestsQuery query;
  query.limit = 7;
  for (int page_number = 0; page_number < 10; ++page_number) {
    auto page = store_->requests(query);
    ASSERT_TRUE(page);
    for (const LedgerRow& found : page.value().rows) seen.push_back(found.request_id);
    if (!page.value().more) break;
    query.before = std::make_pair(page.value().rows.back().started_at_us, page.value().rows.back().request_id);
  }
  ASSERT_EQ(seen.size(), 25u);
  for (int i = 0; i < 25; ++i) EXPECT_EQ(seen[static_cast<std::size_t>(i)], "r" + std::to_string(124 - i));

  ledger::RequestsQuery filtered;
  filtered.model = "x";
  filtered.status = 500;
  auto page = store_->requests(filtered);
  ASSERT_TRUE(page);
  std::vector<std::string> ids;
  for (const LedgerRow& found : page.value().rows) ids.push_back(found.request_id);
  EXPECT_EQ(ids, (std::vector<std::string>{"r115", "r100"}));  // i = 15 and 0: multiples of 3 and 5

  ledger::RequestsQuery by_key;
  by_key.key_id = "k";
  by_key.from_us = kDay0 + 4;
  by_key.to_us = kDay0 + 10;
  page = store_->requests(by_key);
  ASSERT_TRUE(page);
  ids.clear();
  for (const LedgerRow& found : page.value().rows) ids.push_back(found.request_id);
  EXPECT_EQ(ids, (std::vector<std::string>{"r116", "r112", "r108"}));
}

}  // namespace
}  // namespace switchyard::store
