#include "store/ledger_sql.h"

namespace switchyard::store {

std::string usage_group_expression(ledger::GroupBy group_by) {
  constexpr std::int64_t kHourUs = 3'600'000'000;
  constexpr std::int64_t kDayUs = 24 * kHourUs;
  switch (group_by) {
    case ledger::GroupBy::model: return "model";
    case ledger::GroupBy::provider: return "provider";
    case ledger::GroupBy::key: return "key_id";
    case ledger::GroupBy::team: return "team_id";
    case ledger::GroupBy::day: return "(started_at / " + std::to_string(kDayUs) + ") * " + std::to_string(kDayUs);
    case ledger::GroupBy::hour: return "(started_at / " + std::to_string(kHourUs) + ") * " + std::to_string(kHourUs);
  }
  return "model";
}

}  // namespace switchyard::store
