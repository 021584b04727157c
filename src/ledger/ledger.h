// The usage ledger's sink and writer. The settle phase hands every request's outcome to
// on_outcome, which only appends a row to a bounded queue (a lock held for a push, no I/O);
// a thread of its own takes the queue in batches and writes each in one transaction. When
// the store fails (unreachable, slow, full disk) the batch goes to the spool instead and
// the store is tried again every `retry_interval`; once it takes a write, the spool is
// replayed. A full queue spills to the spool rather than dropping or blocking. close()
// drains everything queued before the process exits.
#pragma once

#include <atomic>
#include <boost/asio/awaitable.hpp>
#include <map>
#include <boost/asio/thread_pool.hpp>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "core/outcome.h"
#include "ledger/ledger_store.h"
#include "ledger/spool.h"

namespace switchyard::ledger {

struct LedgerOptions {
  std::size_t queue_capacity = 50000;  // rows waiting for the writer; past it they spill to the spool
  std::size_t batch_rows = 1000;       // rows per transaction, at most
  std::chrono::milliseconds flush_interval{100};  // a row waits at most about this long to be written
  std::chrono::milliseconds retry_interval{1000};  // how often a failing store is tried again
};

// What the ledger did, for the metrics.
struct LedgerCounters {
  std::atomic<std::uint64_t> rows_written{0};   // written straight from the queue
  std::atomic<std::uint64_t> batches_written{0};
  std::atomic<std::uint64_t> rows_spooled{0};   // set aside in the spool (store failing, queue full)
  std::atomic<std::uint64_t> rows_replayed{0};  // written from the spool once the store was back
  std::atomic<std::uint64_t> rows_dropped{0};   // neither written nor spooled: the spool failed too
  std::atomic<std::uint64_t> write_failures{0};  // batches the store refused
};

// What each key (or team) spent, by its id: the sum of its rows' known costs.
using SpendByHolder = std::map<std::string, Money>;

class Ledger final : public OutcomeSink {
 public:
  Ledger(std::shared_ptr<LedgerStore> store, std::string spool_path, LedgerOptions options = {});
  ~Ledger() override;
  Ledger(const Ledger&) = delete;
  Ledger& operator=(const Ledger&) = delete;

  void on_outcome(const Outcome& outcome) noexcept override;
  void record(LedgerRow row) noexcept;

  // Returns once every row recorded before the call is written or spooled.
  void flush();
  // Takes no more rows, drains the queue (writing or spooling every row) and stops the
  // writer. Called at shutdown, after the last request settled; also by the destructor.
  void close();

  // The usage API's reads, on a thread of their own (never an event loop's).
  boost::asio::awaitable<Result<std::vector<UsageGroup>>> usage(UsageQuery query);
  boost::asio::awaitable<Result<RequestsPage>> requests(RequestsQuery query);

  // The spend of every key (or, with `by_team`, team) since `since_us`, from the store.
  // Blocking: for the process's start, before it serves.
  Result<SpendByHolder> spend_since(std::int64_t since_us, bool by_team);

  std::size_t queue_depth() const;
  const LedgerCounters& counters() const { return counters_; }
  // Whether the last write to the store succeeded.
  bool store_healthy() const { return healthy_.load(std::memory_order_relaxed); }

 private:
  void run();
  // Writes `rows` to the store, or spools them while it is failing.
  void write(std::vector<LedgerRow>& rows);
  void spool(std::span<const LedgerRow> rows);
  // Replays the spool when the store is (or may be) back; true when nothing is left in it.
  bool replay();

  std::shared_ptr<LedgerStore> store_;
  Spool spool_;
  LedgerOptions options_;
  LedgerCounters counters_;

  mutable std::mutex mutex_;
  std::condition_variable wake_;      // the writer: rows to write, a flush, or close
  std::condition_variable settled_;   // flush(): the writer finished a round
  std::vector<LedgerRow> queue_;
  std::uint64_t recorded_ = 0;        // rows ever queued
  std::uint64_t handled_ = 0;         // rows the writer finished with (written, spooled or dropped)
  bool flush_requested_ = false;
  bool closing_ = false;
  bool closed_ = false;

  std::atomic<bool> healthy_{true};
  std::chrono::steady_clock::time_point next_try_{};
  std::thread writer_;
  boost::asio::thread_pool reader_{1};
};

}  // namespace switchyard::ledger
