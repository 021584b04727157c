// Where ledger rows are kept: the embedded SQLite file by default, PostgreSQL when replicas
// share the ledger. A narrow interface the writer and the usage API use; every call blocks,
// so each is made on a thread of the caller's that may wait (the ledger's writer, the usage
// API's reader), never on an event loop.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/result.h"
#include "ledger/ledger_row.h"

namespace switchyard::ledger {

enum class GroupBy { model, provider, key, team, day, hour };
std::optional<GroupBy> parse_group_by(std::string_view name);
std::string_view group_by_name(GroupBy group_by);  // the group's field name: model, provider, key_id, team_id, period
// Whether the groups are periods of time (their value: the period's start).
inline bool groups_by_period(GroupBy group_by) { return group_by == GroupBy::day || group_by == GroupBy::hour; }

struct UsageQuery {
  std::int64_t from_us = 0;  // inclusive
  std::int64_t to_us = 0;    // exclusive
  GroupBy group_by = GroupBy::model;
};

struct UsageGroup {
  std::string group;  // the model, provider, key or team (empty: null), or the period's start (RFC 3339)
  std::int64_t requests = 0;
  std::int64_t errors = 0;  // status 400 and above (or none sent)
  std::int64_t input_tokens = 0;
  std::int64_t output_tokens = 0;
  std::int64_t cache_read_tokens = 0;
  std::int64_t cache_write_tokens = 0;
  std::int64_t reasoning_tokens = 0;
  std::int64_t cost_pico = 0;           // of the priced requests
  std::int64_t unpriced_requests = 0;   // requests whose cost is unknown (left out of cost_pico)
  std::int64_t latency_p50_us = 0;      // nearest-rank percentiles of latency
  std::int64_t latency_p95_us = 0;
};

struct RequestsQuery {
  int limit = 50;
  // Rows strictly older than this cursor (from a previous page's `next`); none: the newest.
  std::optional<std::pair<std::int64_t, std::string>> before;  // started_at_us, request_id
  std::optional<std::int64_t> from_us;
  std::optional<std::int64_t> to_us;
  std::string model;   // empty: any
  std::string key_id;  // empty: any
  std::optional<int> status;
};

struct RequestsPage {
  std::vector<LedgerRow> rows;  // newest first
  bool more = false;            // older rows match too
};

class LedgerStore {
 public:
  virtual ~LedgerStore() = default;
  // Adds the rows in one transaction and answers how many were new. A row whose request_id
  // is already there is skipped, so a batch written again (replayed from the spool after a
  // failure that was not one) lands exactly once. An error means nothing was written.
  virtual Result<std::int64_t> write(std::span<const LedgerRow> rows) = 0;
  virtual Result<std::vector<UsageGroup>> usage(const UsageQuery& query) = 0;
  virtual Result<RequestsPage> requests(const RequestsQuery& query) = 0;
};

}  // namespace switchyard::ledger
