#include "ledger/ledger_store.h"

namespace switchyard::ledger {

std::optional<GroupBy> parse_group_by(std::string_view name) {
  if (name == "model") return GroupBy::model;
  if (name == "provider") return GroupBy::provider;
  if (name == "key") return GroupBy::key;
  if (name == "team") return GroupBy::team;
  if (name == "day") return GroupBy::day;
  if (name == "hour") return GroupBy::hour;
  return std::nullopt;
}

std::string_view group_by_name(GroupBy group_by) {
  switch (group_by) {
    case GroupBy::model: return "model";
    case GroupBy::provider: return "provider";
    case GroupBy::key: return "key_id";
    case GroupBy::team: return "team_id";
    case GroupBy::day:
    case GroupBy::hour: return "period";
  }
  return "model";
}

}  // namespace switchyard::ledger
