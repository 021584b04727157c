#include "policy/local_limiter.h"

#include <algorithm>

namespace switchyard::policy {

namespace {

constexpr std::int64_t kWindowNs = 60'000'000'000;  // a minute

// Nanoseconds per unit for a per-minute limit: each unit pushes the TAT this far ahead (at
// least one: a limit above 60 billion a minute counts as that many).
std::int64_t emission_interval(std::int64_t per_minute) {
  return std::max<std::int64_t>(1, kWindowNs / std::max<std::int64_t>(per_minute, 1));
}

std::chrono::milliseconds ceil_ms(std::int64_t ns) {
  return std::chrono::milliseconds(std::max<std::int64_t>(0, (ns + 999'999) / 1'000'000));
}

// One GCRA check: the TAT after taking `units`, or the wait before they would fit.
struct GcraStep {
  bool fits = false;
  std::int64_t new_tat = 0;
  std::int64_t wait_ns = 0;
};

GcraStep gcra(std::int64_t tat, std::int64_t now, std::int64_t units, std::int64_t interval) {
  std::int64_t next = std::max(tat, now) + units * interval;
  if (next - now <= kWindowNs) return {true, next, 0};
  return {false, next, next - now - kWindowNs};
}

RateLimitStatus::Window window_after(std::int64_t limit, std::int64_t new_tat, std::int64_t now, std::int64_t interval) {
  std::int64_t free_ns = std::max<std::int64_t>(0, now + kWindowNs - new_tat);
  return {limit, std::min(limit, free_ns / interval), ceil_ms(new_tat - now)};
}

// Keeps the window with the least left (the one a client should pace itself by).
void keep_tightest(std::optional<RateLimitStatus::Window>& current, const RateLimitStatus::Window& candidate) {
  if (!current || candidate.remaining < current->remaining ||
      (candidate.remaining == current->remaining && candidate.reset > current->reset)) {
    current = candidate;
  }
}

}  // namespace

std::string_view denial_name(Denial denial) {
  switch (denial) {
    case Denial::none: return "none";
    case Denial::requests: return "requests";
    case Denial::tokens: return "tokens";
    case Denial::parallel: return "parallel";
    case Denial::budget: return "budget";
    case Denial::unavailable: return "unavailable";
  }
  return "none";
}

ReserveAnswer LocalLimiter::reserve_now(const ReserveAsk& ask) {
  const std::int64_t now = ask.now_us * 1000;
  const std::int64_t now_seconds = ask.now_us / 1'000'000;
  ReserveAnswer answer;
  std::lock_guard lock(mutex_);
  // Check every scope first; take from each only when all of them fit.
  for (const ScopeAsk& scope : ask.scopes) {
    ScopeState& state = scopes_[scope.scope];
    const Limits& limits = scope.limits;
    auto refuse = [&](Denial denial, std::int64_t wait_ns) {
      answer.denial = denial;
      answer.scope = scope.scope;
      answer.retry_after = ceil_ms(wait_ns);
    };
    if (limits.rpm) {
      GcraStep step = gcra(state.requests_tat_ns, now, 1, emission_interval(*limits.rpm));
      if (!step.fits) refuse(Denial::requests, step.wait_ns);
    }
    if (answer.denial == Denial::none && limits.tpm) {
      GcraStep step = gcra(state.tokens_tat_ns, now, ask.tokens, emission_interval(*limits.tpm));
      if (!step.fits) refuse(Denial::tokens, step.wait_ns);
    }
    if (answer.denial == Denial::none && limits.max_parallel && state.in_flight >= *limits.max_parallel) {
      refuse(Denial::parallel, 1'000'000'000);
    }
    if (answer.denial == Denial::none && limits.budget) {
      std::int64_t start = period_start(limits.budget->period, now_seconds);
      Money spent = state.spent[start];
      if (spent.pico + state.reserved.pico + ask.cost.pico > limits.budget->usd.pico) {
        refuse(Denial::budget, 0);
        answer.budget_resets_at = period_end(limits.budget->period, now_seconds);
      }
    }
    if (answer.denial != Denial::none) {
      // Where the caller stands, nothing taken: for the refusal's rate-limit headers.
      for (const ScopeAsk& other : ask.scopes) {
        const ScopeState& held = scopes_[other.scope];
        if (other.limits.rpm) {
          std::int64_t interval = emission_interval(*other.limits.rpm);
          keep_tightest(answer.status.requests,
                        window_after(*other.limits.rpm, std::max(held.requests_tat_ns, now), now, interval));
        }
        if (other.limits.tpm) {
          std::int64_t interval = emission_interval(*other.limits.tpm);
          keep_tightest(answer.status.tokens,
                        window_after(*other.limits.tpm, std::max(held.tokens_tat_ns, now), now, interval));
        }
      }
      return answer;
    }
  }
  Reservation& reservation = answer.reservation;
  reservation.tokens = ask.tokens;
  reservation.cost = ask.cost;
  for (std::size_t i = 0; i < ask.scopes.size() && i < 2; ++i) {
    const ScopeAsk& scope = ask.scopes[i];
    ScopeState& state = scopes_[scope.scope];
    const Limits& limits = scope.limits;
    ReservedScope& held = i == 0 ? reservation.key : reservation.team;
    held.scope = scope.scope;
    if (limits.rpm) {
      std::int64_t interval = emission_interval(*limits.rpm);
      state.requests_tat_ns = gcra(state.requests_tat_ns, now, 1, interval).new_tat;
      keep_tightest(answer.status.requests, window_after(*limits.rpm, state.requests_tat_ns, now, interval));
    }
    if (limits.tpm) {
      std::int64_t interval = emission_interval(*limits.tpm);
      state.tokens_tat_ns = gcra(state.tokens_tat_ns, now, ask.tokens, interval).new_tat;
      held.tpm = *limits.tpm;
      keep_tightest(answer.status.tokens, window_after(*limits.tpm, state.tokens_tat_ns, now, interval));
    }
    if (limits.max_parallel) {
      ++state.in_flight;
      held.parallel = true;
    }
    if (limits.budget) {
      state.reserved += ask.cost;
      held.budget = true;
      held.period_start = period_start(limits.budget->period, now_seconds);
    }
  }
  return answer;
}

boost::asio::awaitable<ReserveAnswer> LocalLimiter::reserve(const ReserveAsk& ask) { co_return reserve_now(ask); }

void LocalLimiter::settle(const Reservation& reservation, std::int64_t tokens, Money cost) noexcept {
  std::lock_guard lock(mutex_);
  for (const ReservedScope* held : {&reservation.key, &reservation.team}) {
    if (held->scope.empty()) continue;
    auto found = scopes_.find(held->scope);
    if (found == scopes_.end()) continue;
    ScopeState& state = found->second;
    // The tokens used replace the estimate: the TAT moves back (or on) by the difference.
    if (held->tpm > 0) state.tokens_tat_ns += (tokens - reservation.tokens) * emission_interval(held->tpm);
    if (held->parallel) --state.in_flight;
    if (held->budget) {
      state.reserved.pico -= reservation.cost.pico;
      state.spent[held->period_start] += cost;
      // Only the current period matters; older ones go once a newer one exists.
      while (state.spent.size() > 2) state.spent.erase(state.spent.begin());
    }
  }
}

boost::asio::awaitable<Spend> LocalLimiter::spend(const std::string& scope, BudgetPeriod period, std::int64_t now_seconds) {
  std::lock_guard lock(mutex_);
  Spend out;
  auto found = scopes_.find(scope);
  if (found != scopes_.end()) {
    auto spent = found->second.spent.find(period_start(period, now_seconds));
    if (spent != found->second.spent.end()) out.spent = spent->second;
    out.reserved = found->second.reserved;
  }
  co_return out;
}

void LocalLimiter::seed_spend(const std::string& scope, std::int64_t period_start, Money spent) {
  std::lock_guard lock(mutex_);
  scopes_[scope].spent[period_start] += spent;
}

std::int64_t LocalLimiter::in_flight(const std::string& scope) {
  std::lock_guard lock(mutex_);
  auto found = scopes_.find(scope);
  return found == scopes_.end() ? 0 : found->second.in_flight;
}

}  // namespace switchyard::policy
