#include "policy/limits.h"

namespace switchyard::policy {

using namespace std::chrono;

std::string_view budget_period_name(BudgetPeriod period) {
  switch (period) {
    case BudgetPeriod::day: return "day";
    case BudgetPeriod::week: return "week";
    case BudgetPeriod::month: return "month";
    case BudgetPeriod::total: return "total";
  }
  return "total";
}

std::optional<BudgetPeriod> parse_budget_period(std::string_view name) {
  for (BudgetPeriod period : {BudgetPeriod::day, BudgetPeriod::week, BudgetPeriod::month, BudgetPeriod::total}) {
    if (budget_period_name(period) == name) return period;
  }
  return std::nullopt;
}

std::int64_t period_start(BudgetPeriod period, std::int64_t now_seconds) {
  sys_days today = floor<days>(sys_seconds(seconds(now_seconds)));
  switch (period) {
    case BudgetPeriod::day: return duration_cast<seconds>(today.time_since_epoch()).count();
    case BudgetPeriod::week: {
      sys_days monday = today - (weekday(today) - Monday);
      return duration_cast<seconds>(monday.time_since_epoch()).count();
    }
    case BudgetPeriod::month: {
      year_month_day date(today);
      sys_days first = sys_days(date.year() / date.month() / 1);
      return duration_cast<seconds>(first.time_since_epoch()).count();
    }
    case BudgetPeriod::total: return 0;
  }
  return 0;
}

std::optional<std::int64_t> period_end(BudgetPeriod period, std::int64_t now_seconds) {
  sys_days start = sys_days(floor<days>(sys_seconds(seconds(period_start(period, now_seconds)))));
  switch (period) {
    case BudgetPeriod::day: return duration_cast<seconds>((start + days(1)).time_since_epoch()).count();
    case BudgetPeriod::week: return duration_cast<seconds>((start + days(7)).time_since_epoch()).count();
    case BudgetPeriod::month: {
      year_month_day date(start);
      sys_days next = sys_days((date.year() / date.month() + months(1)) / 1);
      return duration_cast<seconds>(next.time_since_epoch()).count();
    }
    case BudgetPeriod::total: return std::nullopt;
  }
  return std::nullopt;
}

}  // namespace switchyard::policy
