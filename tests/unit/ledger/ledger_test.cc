// The ledger's writer: rows reach the store in batches; while the store fails they go to
// the spool and are replayed exactly once when it is back; a full queue spills; close()
// drains. The store here is an in-memory one that can be told to fail.
#include "ledger/ledger.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <map>

namespace switchyard::ledger {
namespace {

class MemoryStore final : public LedgerStore {
 public:
  Result<std::int64_t> write(std::span<const LedgerRow> rows) override {
    std::lock_guard lock(mutex_);
    if (failing) return make_error(ErrorKind::unavailable, "down", "ledger_unavailable");
    std::int64_t added = 0;
    for (const LedgerRow& row : rows) added += rows_.emplace(row.request_id, row).second ? 1 : 0;
    ++batches_;
    return added;
  }
  Result<std::vector<UsageGroup>> usage(const UsageQuery&) override { return std::vector<UsageGroup>{}; }
  Result<RequestsPage> requests(const RequestsQuery&) override { return RequestsPage{}; }

  std::size_t size() {
    std::lock_guard lock(mutex_);
    return rows_.size();
  }
  int batches() {
    std::lock_guard lock(mutex_);
    return batches_;
  }
  std::atomic<bool> failing{false};

 private:
  std::mutex mutex_;
  std::map<std::string, LedgerRow> rows_;
  int batches_ = 0;
};

LedgerRow row(int n) {
  LedgerRow out;
  out.request_id = "req-" + std::to_string(n);
  out.dialect = "openai";
  out.operation = "generate";
  out.model = "m";
  out.status = 200;
  return out;
}

class LedgerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("ledger-test-" + std::to_string(::getpid()) + "-" + ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string spool_path() const { return (dir_ / "ledger.spool").string(); }

  std::filesystem::path dir_;
};

TEST_F(LedgerTest, WritesEveryRowInBatches) {
  auto store = std::make_shared<MemoryStore>();
  Ledger ledger(store, spool_path(), {.batch_rows = 100});
  for (int i = 0; i < 1000; ++i) ledger.record(row(i));
  ledger.flush();
  EXPECT_EQ(store->size(), 1000u);
  // Batched, not row by row: each wake of the writer takes what is queued in chunks of at most
  // 100 rows, so at most one short chunk per wake (a slow build wakes more often).
  EXPECT_GE(store->batches(), 10);
  EXPECT_LE(store->batches(), 2 * (1000 / 100));
  EXPECT_EQ(ledger.counters().rows_written, 1000u);
  EXPECT_EQ(ledger.counters().rows_spooled, 0u);
}

TEST_F(LedgerTest, SpoolsWhileTheStoreFailsAndReplaysOnceWhenItIsBack) {
  auto store = std::make_shared<MemoryStore>();
  Ledger ledger(store, spool_path(), {.retry_interval = std::chrono::milliseconds(50)});
  for (int i = 0; i < 10; ++i) ledger.record(row(i));
  ledger.flush();
  store->failing = true;
  for (int i = 10; i < 60; ++i) ledger.record(row(i));
  ledger.flush();
  EXPECT_EQ(store->size(), 10u);
  EXPECT_EQ(ledger.counters().rows_spooled, 50u);
  EXPECT_FALSE(ledger.store_healthy());
  EXPECT_TRUE(std::filesystem::exists(spool_path()));

  store->failing = false;
  for (int i = 60; i < 70; ++i) ledger.record(row(i));
  // The writer tries again after its retry interval, replays the spool, then writes.
  for (int wait = 0; wait < 100 && store->size() < 70; ++wait) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    ledger.flush();
  }
  EXPECT_EQ(store->size(), 70u);
  // The last ten were spooled too if they came before the retry interval was up.
  EXPECT_GE(ledger.counters().rows_replayed, 50u);
  EXPECT_EQ(ledger.counters().rows_written + ledger.counters().rows_replayed, 70u);
  EXPECT_TRUE(ledger.store_healthy());
  EXPECT_FALSE(std::filesystem::exists(spool_path()));
  EXPECT_EQ(ledger.counters().rows_dropped, 0u);
}

TEST_F(LedgerTest, AFullQueueSpillsToTheSpoolInsteadOfWaiting) {
  auto store = std::make_shared<MemoryStore>();
  store->failing = true;  // the writer makes no progress into the store
  {
    Ledger ledger(store, spool_path(),
                  {.queue_capacity = 10, .batch_rows = 1000, .flush_interval = std::chrono::seconds(60)});
    for (int i = 0; i < 25; ++i) ledger.record(row(i));
    EXPECT_EQ(ledger.queue_depth(), 10u);
    EXPECT_EQ(ledger.counters().rows_spooled, 15u);
    ledger.close();  // the queued ten: the store fails, so they are spooled too
    EXPECT_EQ(ledger.counters().rows_spooled, 25u);
  }
  // A new ledger (the next start) replays what the last one spooled.
  store->failing = false;
  Ledger next(store, spool_path());
  next.record(row(100));
  next.flush();
  EXPECT_EQ(store->size(), 26u);
  EXPECT_EQ(next.counters().rows_replayed, 25u);
}

TEST_F(LedgerTest, CloseDrainsEverythingQueued) {
  auto store = std::make_shared<MemoryStore>();
  Ledger ledger(store, spool_path(), {.flush_interval = std::chrono::seconds(60)});
  for (int i = 0; i < 500; ++i) ledger.record(row(i));
  ledger.close();
  EXPECT_EQ(store->size(), 500u);
  ledger.record(row(1000));  // a straggler after close is kept in the spool
  EXPECT_EQ(ledger.counters().rows_spooled, 1u);
}

TEST_F(LedgerTest, AReplayInterruptedHalfWayLandsEachRowOnce) {
  Spool spool(spool_path());
  std::vector<LedgerRow> rows;
  for (int i = 0; i < 10; ++i) rows.push_back(row(i));
  ASSERT_TRUE(spool.append(rows));
  // The first replay fails after its first batch of four.
  MemoryStore store;
  int calls = 0;
  auto first = spool.replay(4, [&](std::span<const LedgerRow> batch) -> Result<std::int64_t> {
    if (++calls > 1) return make_error(ErrorKind::unavailable, "down");
    return store.write(batch);
  });
  EXPECT_FALSE(first);
  EXPECT_TRUE(spool.pending());
  ASSERT_TRUE(spool.append(std::vector<LedgerRow>{row(10)}));  // appended meanwhile: a new file
  auto second = spool.replay(4, [&](std::span<const LedgerRow> batch) { return store.write(batch); });
  ASSERT_TRUE(second);
  EXPECT_EQ(second.value(), 7);  // the six not yet written, then the one appended
  EXPECT_EQ(store.size(), 11u);
  EXPECT_FALSE(spool.pending());
}

TEST_F(LedgerTest, ADamagedSpoolLineIsSkipped) {
  Spool spool(spool_path());
  ASSERT_TRUE(spool.append(std::vector<LedgerRow>{row(1)}));
  {
    std::FILE* file = std::fopen(spool_path().c_str(), "ab");
    std::fputs("{\"request_id\":\"half", file);  // the process died mid-append
    std::fclose(file);
  }
  MemoryStore store;
  auto replayed = spool.replay(10, [&](std::span<const LedgerRow> batch) { return store.write(batch); });
  ASSERT_TRUE(replayed);
  EXPECT_EQ(replayed.value(), 1);
}

}  // namespace
}  // namespace switchyard::ledger
