#include "policy/redis_limiter.h"

#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <openssl/evp.h>

#include <optional>
#include <random>

#include "core/log.h"

namespace switchyard::policy {
namespace net = boost::asio;
using store::RedisValue;

namespace {

// Shared by the scripts: keys of a scope, and numbers written without exponents (a Lua
// number 1.7e15 would otherwise be stored as "1.7e+15").
constexpr std::string_view kPrelude = R"lua(
local W = 60000000
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local function k(s, what) return 'sy:' .. s .. ':' .. what end
local function num(x) return string.format('%.0f', x) end
local function set_tat(key, tat)
  if tat > now then redis.call('SET', key, num(tat), 'PX', math.ceil((tat - now) / 1000) + 1000)
  else redis.call('DEL', key) end
end
)lua";

// Reserve, for every scope or none. ARGV: tokens, cost (pico, exact as a string), lease,
// lease ttl (µs), scope count, then per scope: name, rpm, tpm, max_parallel, budget (pico;
// -1: none), period start. Returns {0, -1, 0, then per scope: requests remaining, requests
// reset (µs), tokens remaining, tokens reset (-1: no such limit)} or {denial, scope, wait µs}.
constexpr std::string_view kReserve = R"lua(
local tokens, cost, lease = tonumber(ARGV[1]), ARGV[2], ARGV[3]
local expiry, n = now + tonumber(ARGV[4]), tonumber(ARGV[5])
local costn = tonumber(cost)
-- Leases past their expiry belong to a replica that stopped renewing them: their slots and
-- reserved money come back before anything is counted.
local function purge(s)
  local leases = k(s, 'leases')
  local gone = redis.call('ZRANGEBYSCORE', leases, '-inf', now)
  for _, id in ipairs(gone) do
    local held = redis.call('HGET', k(s, 'lcost'), id)
    if held then
      redis.call('HDEL', k(s, 'lcost'), id)
      redis.call('DECRBY', k(s, 'reserved'), held)
    end
  end
  if #gone > 0 then redis.call('ZREMRANGEBYSCORE', leases, '-inf', now) end
end
local function arg(i, j) return ARGV[6 + i * 6 + j] end
for i = 0, n - 1 do
  local s, rpm, tpm = arg(i, 0), tonumber(arg(i, 1)), tonumber(arg(i, 2))
  local par, budget, pstart = tonumber(arg(i, 3)), tonumber(arg(i, 4)), arg(i, 5)
  if rpm > 0 then
    local nxt = math.max(tonumber(redis.call('GET', k(s, 'rq')) or '0'), now) + W / rpm
    if nxt - now > W then return {1, i, nxt - now - W} end
  end
  if tpm > 0 then
    local nxt = math.max(tonumber(redis.call('GET', k(s, 'tk')) or '0'), now) + tokens * W / tpm
    if nxt - now > W then return {2, i, nxt - now - W} end
  end
  if par > 0 or budget >= 0 then purge(s) end
  if par > 0 and redis.call('ZCARD', k(s, 'leases')) >= par then return {3, i, 1000000} end
  if budget >= 0 then
    local spent = tonumber(redis.call('GET', k(s, 'spend:' .. pstart)) or '0')
    local reserved = tonumber(redis.call('GET', k(s, 'reserved')) or '0')
    if spent + reserved + costn > budget then return {4, i, 0} end
  end
end
local out = {0, -1, 0}
for i = 0, n - 1 do
  local s, rpm, tpm = arg(i, 0), tonumber(arg(i, 1)), tonumber(arg(i, 2))
  local par, budget = tonumber(arg(i, 3)), tonumber(arg(i, 4))
  local rr, rt, tr, tt = -1, -1, -1, -1
  if rpm > 0 then
    local nxt = math.max(tonumber(redis.call('GET', k(s, 'rq')) or '0'), now) + W / rpm
    set_tat(k(s, 'rq'), nxt)
    rr, rt = math.min(rpm, math.floor((now + W - nxt) / (W / rpm) + 1e-9)), nxt - now
  end
  if tpm > 0 then
    local nxt = math.max(tonumber(redis.call('GET', k(s, 'tk')) or '0'), now) + tokens * W / tpm
    set_tat(k(s, 'tk'), nxt)
    tr, tt = math.min(tpm, math.floor((now + W - nxt) / (W / tpm) + 1e-9)), nxt - now
  end
  if par > 0 or budget >= 0 then redis.call('ZADD', k(s, 'leases'), expiry, lease) end
  if budget >= 0 then
    redis.call('HSET', k(s, 'lcost'), lease, cost)
    redis.call('INCRBY', k(s, 'reserved'), cost)
  end
  table.insert(out, rr)
  table.insert(out, rt)
  table.insert(out, tr)
  table.insert(out, tt)
end
return out
)lua";

// Settle. ARGV: tokens used, tokens reserved, cost (pico string), lease, scope count, then per
// scope: name, tpm, holds a lease (0/1), has a budget (0/1), period start, spend ttl (s; 0:
// none). A lease settles once: a settle sent again (its first reply was lost with the
// connection) finds the lease gone and counts nothing twice. A lease that expired because its
// replica stopped renewing it (down, or cut off from Redis past the lease's ttl) was given
// back already; what it spent is then not counted (see docs/access-control.md).
constexpr std::string_view kSettle = R"lua(
local used, reserved, cost, lease, n = tonumber(ARGV[1]), tonumber(ARGV[2]), ARGV[3], ARGV[4], tonumber(ARGV[5])
for i = 0, n - 1 do
  local b = 6 + i * 6
  local s, tpm, leased, budget = ARGV[b], tonumber(ARGV[b + 1]), ARGV[b + 2] == '1', ARGV[b + 3] == '1'
  local pstart, ttl = ARGV[b + 4], tonumber(ARGV[b + 5])
  local live = not leased or redis.call('ZREM', k(s, 'leases'), lease) == 1
  if live and tpm > 0 and used ~= reserved then
    set_tat(k(s, 'tk'), tonumber(redis.call('GET', k(s, 'tk')) or '0') + (used - reserved) * W / tpm)
  end
  if leased and live then
    local held = redis.call('HGET', k(s, 'lcost'), lease)
    if held then
      redis.call('HDEL', k(s, 'lcost'), lease)
      redis.call('DECRBY', k(s, 'reserved'), held)
    end
  end
  if budget and live then
    local key = k(s, 'spend:' .. pstart)
    redis.call('INCRBY', key, cost)
    if ttl > 0 then redis.call('EXPIRE', key, ttl) end
  end
end
return 1
)lua";

// Renews leases. ARGV: ttl (µs), then pairs of scope and lease.
constexpr std::string_view kRenew = R"lua(
local expiry = now + tonumber(ARGV[1])
for i = 2, #ARGV, 2 do redis.call('ZADD', k(ARGV[i], 'leases'), 'XX', expiry, ARGV[i + 1]) end
return 1
)lua";

std::string script(std::string_view body) { return std::string(kPrelude) + std::string(body); }

// Scripts go by their SHA-1 (EVALSHA): a few bytes a call instead of the whole text. A Redis
// that does not know one yet (restarted, or new) answers NOSCRIPT; the call is then sent
// once more with the text (EVAL), which also teaches it the script.
struct Script {
  std::string text;
  std::string sha1;
  explicit Script(std::string_view body) : text(script(body)) {
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned size = 0;
    EVP_Digest(text.data(), text.size(), digest, &size, EVP_sha1(), nullptr);
    static constexpr char kHex[] = "0123456789abcdef";
    for (unsigned i = 0; i < size; ++i) {
      sha1 += kHex[digest[i] >> 4];
      sha1 += kHex[digest[i] & 15];
    }
  }
};

const Script& reserve_script() {
  static const Script instance(kReserve);
  return instance;
}
const Script& settle_script() {
  static const Script instance(kSettle);
  return instance;
}
const Script& renew_script() {
  static const Script instance(kRenew);
  return instance;
}

// The same call with the script's text, for a Redis that answered NOSCRIPT.
std::optional<std::vector<std::string>> with_text(const std::vector<std::string>& command) {
  if (command.size() < 2 || command[0] != "EVALSHA") return std::nullopt;
  for (const Script* candidate : {&reserve_script(), &settle_script(), &renew_script()}) {
    if (candidate->sha1 != command[1]) continue;
    std::vector<std::string> out = command;
    out[0] = "EVAL";
    out[1] = candidate->text;
    return out;
  }
  return std::nullopt;
}

// A budget period's spend is kept a while after it ends (for the admin API), then expires.
std::int64_t spend_ttl(std::int64_t period_start) { return period_start == 0 ? 0 : 40 * 86400; }

std::string lease_name(const std::string& replica, std::uint64_t lease) { return replica + ":" + std::to_string(lease); }

std::string budget_argument(const Limits& limits) {
  return limits.budget ? std::to_string(limits.budget->usd.pico) : std::string("-1");
}

Denial denial_of(std::int64_t code) {
  switch (code) {
    case 1: return Denial::requests;
    case 2: return Denial::tokens;
    case 3: return Denial::parallel;
    case 4: return Denial::budget;
    default: return Denial::unavailable;
  }
}

std::chrono::milliseconds micros_to_ms(std::int64_t micros) {
  return std::chrono::milliseconds(std::max<std::int64_t>(0, (micros + 999) / 1000));
}

std::int64_t integer_at(const RedisValue& array, std::size_t i) {
  return i < array.elements.size() ? array.elements[i].integer : -1;
}

void keep_tightest(std::optional<RateLimitStatus::Window>& current, const RateLimitStatus::Window& candidate) {
  if (!current || candidate.remaining < current->remaining ||
      (candidate.remaining == current->remaining && candidate.reset > current->reset)) {
    current = candidate;
  }
}

}  // namespace

RedisLimiter::RedisLimiter(RedisLimiterOptions options) : options_(std::move(options)) {
  // Up until a batch fails: the first requests go to Redis rather than to the failure policy.
  counters_.up.store(true, std::memory_order_release);
  std::random_device random;
  replica_ = std::to_string(random()) + std::to_string(random());
  thread_ = std::thread([this] { run(); });
}

RedisLimiter::~RedisLimiter() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

void RedisLimiter::submit(Command command, std::function<void(Result<RedisValue>)> done) {
  {
    std::lock_guard lock(mutex_);
    queue_.push_back({std::move(command), std::move(done)});
  }
  wake_.notify_one();
}

net::awaitable<Result<RedisValue>> RedisLimiter::call(Command command) {
  return net::async_initiate<decltype(net::use_awaitable), void(Result<RedisValue>)>(
      [this](auto handler, Command args) {
        // The handler is move-only; the job's std::function needs a copyable one.
        auto shared = std::make_shared<decltype(handler)>(std::move(handler));
        submit(std::move(args), [shared](Result<RedisValue> reply) {
          auto home = net::get_associated_executor(*shared);
          net::dispatch(home, [shared, reply = std::move(reply)]() mutable { (*shared)(std::move(reply)); });
        });
      },
      net::use_awaitable, std::move(command));
}

ReserveAnswer RedisLimiter::locally(const ReserveAsk& ask) {
  if (options_.on_failure == RedisFailure::fail_open) {
    counters_.fail_open_admits.fetch_add(1, std::memory_order_relaxed);
    return fallback_.reserve_now(ask);  // lease 0: settles here too
  }
  ReserveAnswer refused;
  refused.denial = Denial::unavailable;
  refused.retry_after = std::chrono::seconds(1);
  return refused;
}

net::awaitable<ReserveAnswer> RedisLimiter::reserve(const ReserveAsk& ask) {
  if (!counters_.up.load(std::memory_order_acquire)) co_return locally(ask);
  std::uint64_t lease = next_lease_.fetch_add(1, std::memory_order_relaxed);
  Command command{"EVALSHA", reserve_script().sha1, "0", std::to_string(ask.tokens), std::to_string(ask.cost.pico),
                  lease_name(replica_, lease),
                  std::to_string(std::chrono::duration_cast<std::chrono::microseconds>(options_.lease_ttl).count()),
                  std::to_string(ask.scopes.size())};
  std::int64_t now_seconds = ask.now_us / 1'000'000;
  for (const ScopeAsk& scope : ask.scopes) {
    const Limits& limits = scope.limits;
    command.push_back(scope.scope);
    command.push_back(std::to_string(limits.rpm.value_or(0)));
    command.push_back(std::to_string(limits.tpm.value_or(0)));
    command.push_back(std::to_string(limits.max_parallel.value_or(0)));
    command.push_back(budget_argument(limits));
    command.push_back(std::to_string(limits.budget ? period_start(limits.budget->period, now_seconds) : 0));
  }
  Result<RedisValue> reply = co_await call(std::move(command));
  if (!reply || reply->type != RedisValue::Type::array || reply->elements.size() < 3) {
    if (reply && reply->type == RedisValue::Type::error) log::error("the limiter's script failed", {{"error", reply->text}});
    co_return locally(ask);
  }
  const RedisValue& out = reply.value();
  ReserveAnswer answer;
  std::int64_t code = integer_at(out, 0);
  if (code != 0) {
    answer.denial = denial_of(code);
    std::size_t index = static_cast<std::size_t>(std::max<std::int64_t>(0, integer_at(out, 1)));
    if (index < ask.scopes.size()) answer.scope = ask.scopes[index].scope;
    answer.retry_after = micros_to_ms(integer_at(out, 2));
    if (answer.denial == Denial::budget && index < ask.scopes.size() && ask.scopes[index].limits.budget) {
      answer.budget_resets_at = period_end(ask.scopes[index].limits.budget->period, now_seconds);
    }
    co_return answer;
  }
  Reservation& reservation = answer.reservation;
  reservation.tokens = ask.tokens;
  reservation.cost = ask.cost;
  reservation.lease = lease;
  std::vector<std::string> leased;
  for (std::size_t i = 0; i < ask.scopes.size() && i < 2; ++i) {
    const ScopeAsk& scope = ask.scopes[i];
    const Limits& limits = scope.limits;
    ReservedScope& held = i == 0 ? reservation.key : reservation.team;
    held.scope = scope.scope;
    held.tpm = limits.tpm.value_or(0);
    held.parallel = limits.max_parallel.has_value();
    held.budget = limits.budget.has_value();
    if (limits.budget) held.period_start = period_start(limits.budget->period, now_seconds);
    if (held.parallel || held.budget) leased.push_back(scope.scope);
    std::size_t base = 3 + i * 4;
    if (limits.rpm) {
      keep_tightest(answer.status.requests,
                    {*limits.rpm, integer_at(out, base), micros_to_ms(integer_at(out, base + 1))});
    }
    if (limits.tpm) {
      keep_tightest(answer.status.tokens,
                    {*limits.tpm, integer_at(out, base + 2), micros_to_ms(integer_at(out, base + 3))});
    }
  }
  if (!leased.empty()) {
    std::lock_guard lock(mutex_);
    leases_[lease] = std::move(leased);
  }
  co_return answer;
}

void RedisLimiter::settle(const Reservation& reservation, std::int64_t tokens, Money cost) noexcept {
  if (reservation.lease == 0) {  // admitted under local limits while Redis was down
    fallback_.settle(reservation, tokens, cost);
    return;
  }
  try {
    Command command{"EVALSHA", settle_script().sha1, "0", std::to_string(tokens), std::to_string(reservation.tokens),
                    std::to_string(cost.pico), lease_name(replica_, reservation.lease), "0"};
    int scopes = 0;
    for (const ReservedScope* held : {&reservation.key, &reservation.team}) {
      if (held->scope.empty()) continue;
      ++scopes;
      command.push_back(held->scope);
      command.push_back(std::to_string(held->tpm));
      command.push_back(held->parallel || held->budget ? "1" : "0");
      command.push_back(held->budget ? "1" : "0");
      command.push_back(std::to_string(held->period_start));
      command.push_back(std::to_string(spend_ttl(held->period_start)));
    }
    command[7] = std::to_string(scopes);
    {
      std::lock_guard lock(mutex_);
      leases_.erase(reservation.lease);
    }
    submit(std::move(command), nullptr);
  } catch (...) {
    // Out of memory: the lease expires by itself; nothing else can be done here.
  }
}

net::awaitable<Spend> RedisLimiter::spend(const std::string& scope, BudgetPeriod period, std::int64_t now_seconds) {
  Command command{"MGET", "sy:" + scope + ":spend:" + std::to_string(period_start(period, now_seconds)),
                  "sy:" + scope + ":reserved"};
  Result<RedisValue> reply = co_await call(std::move(command));
  Spend spend;
  if (!reply || reply->elements.size() != 2) co_return co_await fallback_.spend(scope, period, now_seconds);
  auto money = [](const RedisValue& value) {
    return value.type == RedisValue::Type::string ? Money{std::stoll(value.text)} : Money{};
  };
  spend.spent = money(reply->elements[0]);
  spend.reserved = money(reply->elements[1]);
  co_return spend;
}

void RedisLimiter::seed_spend(const std::string& scope, std::int64_t period_start, Money spent) {
  // Only where no replica counted yet: Redis's own figure is the newer one.
  Command command{"SET", "sy:" + scope + ":spend:" + std::to_string(period_start), std::to_string(spent.pico), "NX"};
  if (spend_ttl(period_start) > 0) {
    command.push_back("EX");
    command.push_back(std::to_string(spend_ttl(period_start)));
  }
  submit(std::move(command), nullptr);
}

void RedisLimiter::flush() {
  std::unique_lock lock(mutex_);
  idle_.wait(lock, [&] { return queue_.empty() && !busy_; });
}

void RedisLimiter::renew_leases(std::chrono::steady_clock::time_point) {
  Command command{"EVALSHA", renew_script().sha1, "0",
                  std::to_string(std::chrono::duration_cast<std::chrono::microseconds>(options_.lease_ttl).count())};
  {
    std::lock_guard lock(mutex_);
    if (leases_.empty()) return;
    for (const auto& [lease, scopes] : leases_) {
      for (const std::string& scope : scopes) {
        command.push_back(scope);
        command.push_back(lease_name(replica_, lease));
      }
    }
    queue_.push_front({std::move(command), nullptr});
  }
}

void RedisLimiter::run() {
  using Clock = std::chrono::steady_clock;
  store::RedisConnection connection(options_.address, options_.timeout);
  auto renew_every = options_.lease_ttl / 3;
  auto next_renewal = Clock::now() + renew_every;
  auto next_probe = Clock::now();
  // Settles that failed with Redis unreachable: sent again once it is back (each runs once).
  std::deque<Job> unsettled;
  constexpr std::size_t kMaxUnsettled = 100000;
  for (;;) {
    std::deque<Job> batch;
    bool up = counters_.up.load(std::memory_order_acquire);
    {
      std::unique_lock lock(mutex_);
      auto until = up ? next_renewal : std::min(next_renewal, next_probe);
      wake_.wait_until(lock, until, [&] { return stopping_ || !queue_.empty(); });
      if (stopping_ && queue_.empty()) break;
      batch.swap(queue_);
      busy_ = true;
    }
    auto now = Clock::now();
    if (now >= next_renewal) {
      next_renewal = now + renew_every;
      renew_leases(now);
      std::lock_guard lock(mutex_);
      for (Job& job : queue_) batch.push_front(std::move(job));
      queue_.clear();
    }
    if (!up && now < next_probe) {
      // Down, and not yet time to try again: fail what waits for an answer at once.
      for (Job& job : batch) {
        if (job.done) job.done(make_error(ErrorKind::unavailable, "redis is unreachable", "redis_unavailable"));
        else if (unsettled.size() < kMaxUnsettled) unsettled.push_back(std::move(job));
      }
    } else if (!batch.empty() || !up) {
      if (up || !unsettled.empty()) {
        for (Job& job : unsettled) batch.push_front(std::move(job));
        unsettled.clear();
      }
      std::vector<Command> commands;
      if (batch.empty()) commands.push_back({"PING"});  // a probe while down
      for (const Job& job : batch) commands.push_back(job.command);
      Result<std::vector<RedisValue>> replies = connection.run(commands);
      if (!replies) {
        if (up) log::warn("redis is unreachable: limits follow the failure policy", {{"error", replies.error().message}});
        counters_.up.store(false, std::memory_order_release);
        counters_.failures.fetch_add(1, std::memory_order_relaxed);
        next_probe = Clock::now() + options_.retry_interval;
        for (Job& job : batch) {
          if (job.done) job.done(replies.error());
          else if (unsettled.size() < kMaxUnsettled) unsettled.push_back(std::move(job));
        }
      } else {
        if (!up) log::info("redis is reachable: shared limits are back");
        counters_.up.store(true, std::memory_order_release);
        std::size_t offset = batch.empty() ? 1 : 0;
        // Scripts this Redis did not know: sent again with their text, in one more batch.
        std::vector<std::size_t> unknown;
        std::vector<Command> resend;
        for (std::size_t i = 0; i < batch.size(); ++i) {
          const RedisValue& reply = replies.value()[i + offset];
          if (reply.type != RedisValue::Type::error || !reply.text.starts_with("NOSCRIPT")) continue;
          if (auto command = with_text(batch[i].command)) {
            unknown.push_back(i);
            resend.push_back(std::move(*command));
          }
        }
        if (!resend.empty()) {
          Result<std::vector<RedisValue>> again = connection.run(resend);
          for (std::size_t j = 0; j < unknown.size(); ++j) {
            replies.value()[unknown[j] + offset] =
                again ? std::move(again.value()[j]) : RedisValue{RedisValue::Type::error, 0, "redis: resend failed", {}};
          }
        }
        for (std::size_t i = 0; i < batch.size(); ++i) {
          if (batch[i].done) batch[i].done(std::move(replies.value()[i + offset]));
        }
      }
    }
    {
      std::lock_guard lock(mutex_);
      busy_ = false;
      if (queue_.empty()) idle_.notify_all();
    }
  }
}

}  // namespace switchyard::policy
