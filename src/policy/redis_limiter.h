// The limiter replicas share: every counter in Redis, changed only by server-side Lua scripts,
// so a check and its increment are one atomic step across all replicas (no check-then-act
// race). Rate windows are GCRA on Redis's own clock (replicas' clocks may differ). Parallel
// slots and budget reservations are leases: each in-flight request's lease carries an expiry
// that its replica renews every few seconds, so a replica that dies frees its slots and
// reserved money within `lease_ttl` (30 s), while a live one keeps them for as long as its
// streams run.
//
// One connection on a thread of its own (never an event loop's): requests queue their
// commands, which go out pipelined, one round trip for everything queued. When Redis cannot
// be reached the configured policy applies: `fail_closed` refuses limited keys (503) and
// `fail_open` admits them under this process's own limits (LocalLimiter), counted; either way
// no request waits longer than the connection's timeout, and the limiter reconnects by
// itself.
#pragma once

#include <atomic>
#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "policy/limiter.h"
#include "policy/local_limiter.h"
#include "store/redis_connection.h"

namespace switchyard::policy {

enum class RedisFailure { fail_closed, fail_open };

struct RedisLimiterOptions {
  store::RedisAddress address;
  RedisFailure on_failure = RedisFailure::fail_closed;
  std::chrono::milliseconds timeout{500};     // connect, and each batch's replies
  std::chrono::milliseconds lease_ttl{30000};  // a dead replica's slots come back within this
  std::chrono::milliseconds retry_interval{500};  // between reconnection attempts while down
};

struct RedisLimiterCounters {
  std::atomic<std::uint64_t> failures{0};          // batches that failed (Redis unreachable, timed out)
  std::atomic<std::uint64_t> fail_open_admits{0};  // requests admitted under local limits while Redis was down
  std::atomic<bool> up{false};
};

class RedisLimiter final : public Limiter {
 public:
  explicit RedisLimiter(RedisLimiterOptions options);
  ~RedisLimiter() override;

  boost::asio::awaitable<ReserveAnswer> reserve(const ReserveAsk& ask) override;
  void settle(const Reservation& reservation, std::int64_t tokens, Money cost) noexcept override;
  boost::asio::awaitable<Spend> spend(const std::string& scope, BudgetPeriod period, std::int64_t now_seconds) override;
  void seed_spend(const std::string& scope, std::int64_t period_start, Money spent) override;

  const RedisLimiterCounters& counters() const { return counters_; }
  // Waits until everything queued so far was sent (tests and shutdown).
  void flush();

 private:
  using Command = std::vector<std::string>;
  struct Job {
    Command command;
    std::function<void(Result<store::RedisValue>)> done;  // null: nobody waits (settle, renew)
  };

  // Queues `command`; `done` runs on the limiter's thread with its reply (or the failure).
  void submit(Command command, std::function<void(Result<store::RedisValue>)> done);
  boost::asio::awaitable<Result<store::RedisValue>> call(Command command);
  void run();
  void renew_leases(std::chrono::steady_clock::time_point now);
  ReserveAnswer locally(const ReserveAsk& ask);

  RedisLimiterOptions options_;
  RedisLimiterCounters counters_;
  LocalLimiter fallback_;
  std::atomic<std::uint64_t> next_lease_{1};
  std::string replica_;  // a random prefix: lease ids of different replicas never collide

  std::mutex mutex_;
  std::condition_variable wake_;
  std::condition_variable idle_;
  std::deque<Job> queue_;
  bool busy_ = false;
  bool stopping_ = false;
  // Leases held by this replica's requests in flight, by id, with the scopes they hold.
  std::map<std::uint64_t, std::vector<std::string>> leases_;
  std::thread thread_;
};

}  // namespace switchyard::policy
