#include "ledger/ledger.h"

#include <limits>

#include "core/log.h"
#include "core/on_thread.h"

namespace switchyard::ledger {

using Clock = std::chrono::steady_clock;

Ledger::Ledger(std::shared_ptr<LedgerStore> store, std::string spool_path, LedgerOptions options)
    : store_(std::move(store)), spool_(std::move(spool_path)), options_(options) {
  queue_.reserve(options_.batch_rows);
  writer_ = std::thread([this] { run(); });
}

Ledger::~Ledger() {
  close();
  reader_.join();
}

void Ledger::on_outcome(const Outcome& outcome) noexcept {
  if (!belongs_in_ledger(outcome)) return;
  try {
    record(ledger_row(outcome));
  } catch (...) {  // out of memory building the row: the one way a row is lost, and counted
    counters_.rows_dropped.fetch_add(1, std::memory_order_relaxed);
  }
}

void Ledger::record(LedgerRow row) noexcept {
  try {
    std::unique_lock lock(mutex_);
    if (closed_) {
      lock.unlock();
      spool({&row, 1});  // settled after close (a straggler at shutdown): still kept
      return;
    }
    if (queue_.size() >= options_.queue_capacity) {
      lock.unlock();
      spool({&row, 1});  // the writer is behind: spill rather than wait or drop
      return;
    }
    queue_.push_back(std::move(row));
    ++recorded_;
    // The writer wakes on its own every flush_interval; a full batch wakes it early.
    if (queue_.size() == options_.batch_rows) wake_.notify_one();
  } catch (...) {
    counters_.rows_dropped.fetch_add(1, std::memory_order_relaxed);
  }
}

void Ledger::flush() {
  std::unique_lock lock(mutex_);
  std::uint64_t target = recorded_;
  flush_requested_ = true;
  wake_.notify_one();
  settled_.wait(lock, [&] { return handled_ >= target || closed_; });
}

void Ledger::close() {
  {
    std::lock_guard lock(mutex_);
    if (closing_) return;
    closing_ = true;
  }
  wake_.notify_one();
  if (writer_.joinable()) writer_.join();
}

std::size_t Ledger::queue_depth() const {
  std::lock_guard lock(mutex_);
  return queue_.size();
}

void Ledger::run() {
  std::vector<LedgerRow> batch;
  batch.reserve(options_.batch_rows);
  std::unique_lock lock(mutex_);
  for (;;) {
    wake_.wait_for(lock, options_.flush_interval,
                   [&] { return closing_ || flush_requested_ || queue_.size() >= options_.batch_rows; });
    flush_requested_ = false;
    batch.swap(queue_);
    bool closing = closing_;
    lock.unlock();

    // Rows spooled earlier go first, once the store may take them, so they keep their order.
    if (spool_.pending() && (healthy_ || Clock::now() >= next_try_)) replay();
    std::size_t taken = batch.size();
    if (!batch.empty()) write(batch);
    batch.clear();

    lock.lock();
    handled_ += taken;
    settled_.notify_all();
    if (closing && queue_.empty()) break;
  }
  closed_ = true;
  settled_.notify_all();
}

void Ledger::write(std::vector<LedgerRow>& rows) {
  for (std::size_t start = 0; start < rows.size(); start += options_.batch_rows) {
    std::span<const LedgerRow> part(rows.data() + start, std::min(options_.batch_rows, rows.size() - start));
    // While the store fails, it is tried once per retry interval; other batches go to the spool.
    if (!healthy_ && Clock::now() < next_try_) {
      spool(part);
      continue;
    }
    Result<std::int64_t> added = store_->write(part);
    if (added) {
      counters_.rows_written.fetch_add(static_cast<std::uint64_t>(added.value()), std::memory_order_relaxed);
      counters_.batches_written.fetch_add(1, std::memory_order_relaxed);
      if (!healthy_.exchange(true)) log::info("the ledger's database is back", {});
      continue;
    }
    counters_.write_failures.fetch_add(1, std::memory_order_relaxed);
    if (healthy_.exchange(false)) {
      log::warn("the ledger's database failed; rows go to the spool until it is back",
                {{"error", added.error().message}, {"spool", spool_.path()}});
    }
    next_try_ = Clock::now() + options_.retry_interval;
    spool(part);
  }
}

void Ledger::spool(std::span<const LedgerRow> rows) {
  if (spool_.append(rows)) {
    counters_.rows_spooled.fetch_add(rows.size(), std::memory_order_relaxed);
  } else {
    counters_.rows_dropped.fetch_add(rows.size(), std::memory_order_relaxed);
    log::error("ledger rows were lost: neither the database nor the spool took them",
               {{"rows", static_cast<std::int64_t>(rows.size())}, {"spool", spool_.path()}});
  }
}

bool Ledger::replay() {
  Result<std::int64_t> replayed = spool_.replay(options_.batch_rows, [&](std::span<const LedgerRow> rows) {
    Result<std::int64_t> added = store_->write(rows);
    if (added) {
      counters_.rows_replayed.fetch_add(static_cast<std::uint64_t>(added.value()), std::memory_order_relaxed);
      counters_.batches_written.fetch_add(1, std::memory_order_relaxed);
    }
    return added;
  });
  if (!replayed) {
    counters_.write_failures.fetch_add(1, std::memory_order_relaxed);
    healthy_ = false;
    next_try_ = Clock::now() + options_.retry_interval;
    return false;
  }
  if (!healthy_.exchange(true)) log::info("the ledger's database is back", {});
  if (replayed.value() > 0) log::info("spooled ledger rows replayed", {{"rows", replayed.value()}});
  return true;
}

boost::asio::awaitable<Result<std::vector<UsageGroup>>> Ledger::usage(UsageQuery query) {
  return on_thread<Result<std::vector<UsageGroup>>>(reader_, [this, query] { return store_->usage(query); });
}

boost::asio::awaitable<Result<RequestsPage>> Ledger::requests(RequestsQuery query) {
  return on_thread<Result<RequestsPage>>(reader_, [this, query = std::move(query)] { return store_->requests(query); });
}

Result<SpendByHolder> Ledger::spend_since(std::int64_t since_us, bool by_team) {
  UsageQuery query;
  query.from_us = since_us;
  query.to_us = std::numeric_limits<std::int64_t>::max();
  query.group_by = by_team ? GroupBy::team : GroupBy::key;
  auto groups = store_->usage(query);
  if (!groups) return groups.take_error();
  SpendByHolder spend;
  for (const UsageGroup& group : groups.value()) {
    if (!group.group.empty()) spend[group.group] = Money{group.cost_pico};
  }
  return spend;
}

}  // namespace switchyard::ledger
