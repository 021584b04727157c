// The limits a virtual key or a team may carry: requests and tokens per minute, requests
// in parallel, and a budget in US dollars per period. Plain values, compiled from the
// admin API or the configuration file.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string_view>

#include "core/money.h"

namespace switchyard::policy {

enum class BudgetPeriod { day, week, month, total };

std::string_view budget_period_name(BudgetPeriod period);
std::optional<BudgetPeriod> parse_budget_period(std::string_view name);

struct Budget {
  Money usd;
  BudgetPeriod period = BudgetPeriod::month;
};

struct Limits {
  std::optional<std::int64_t> rpm;           // requests per minute (sliding: GCRA)
  std::optional<std::int64_t> tpm;           // input plus output tokens per minute
  std::optional<std::int64_t> max_parallel;  // requests in flight at once
  std::optional<Budget> budget;

  bool any() const { return rpm || tpm || max_parallel || budget; }
};

// Periods are calendar periods in UTC: a day from midnight, a week from Monday, a month
// from its first day; `total` never resets. Seconds since the epoch.
std::int64_t period_start(BudgetPeriod period, std::int64_t now_seconds);
// When the period holding `now_seconds` ends (and the budget resets); none for `total`.
std::optional<std::int64_t> period_end(BudgetPeriod period, std::int64_t now_seconds);

}  // namespace switchyard::policy
