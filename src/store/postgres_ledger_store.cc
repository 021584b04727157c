#include "store/postgres_ledger_store.h"

#include <array>
#include <chrono>
#include <map>

#include "store/ledger_sql.h"
#include "store/postgres_schema.h"

namespace switchyard::store {

using ledger::GroupBy;
using ledger::LedgerRow;
using Params = std::vector<std::optional<std::string>>;

namespace {

std::optional<std::string> number(std::int64_t value) { return std::to_string(value); }

std::int64_t integer_of(const std::optional<std::string>& text) { return text ? std::stoll(*text) : 0; }

// One field of COPY's text format, with its tab: backslash, tab, newline and carriage return
// escaped (a model name or user tag is the client's and may hold any of them).
void append_copy_field(std::string& out, std::string_view value) {
  for (char c : value) {
    switch (c) {
      case '\\': out += "\\\\"; break;
      case '\t': out += "\\t"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      default: out += c;
    }
  }
  out += '\t';
}

// A result row's cells (text; NULL: none), as read_ledger_row asks for them.
struct TextCells {
  const std::vector<std::optional<std::string>>& cells;
  std::string text(int i) const { return cells[static_cast<std::size_t>(i)].value_or(""); }
  std::int64_t integer(int i) const { return integer_of(cells[static_cast<std::size_t>(i)]); }
  bool flag(int i) const { return text(i) == "t"; }
  bool is_null(int i) const { return !cells[static_cast<std::size_t>(i)]; }
};

}  // namespace

bool is_postgres_url(std::string_view url) { return url.starts_with("postgres://") || url.starts_with("postgresql://"); }

PostgresLedgerStore::PostgresLedgerStore(const std::string& conninfo, std::chrono::milliseconds timeout)
    : writer_(conninfo, timeout), reader_(conninfo, timeout * 2) {}

Status PostgresLedgerStore::ensure_schema(PostgresConnection& connection) {
  if (migrated_.load(std::memory_order_acquire)) return Done{};
  if (Status migrated = migrate_postgres(connection); !migrated) return migrated;
  migrated_.store(true, std::memory_order_release);
  return Done{};
}

Result<std::int64_t> PostgresLedgerStore::write(std::span<const LedgerRow> rows) {
  std::lock_guard lock(write_mutex_);
  if (Status schema = ensure_schema(writer_); !schema) return schema.take_error();
  if (rows.empty()) return std::int64_t{0};
  // COPY into a session's staging table, then one INSERT ... SELECT that skips rows already
  // there: COPY costs the server a third of what a multi-row INSERT's parameters do, and the
  // staging table lets a replayed row still land exactly once. One transaction: all or none.
  std::string data;
  data.reserve(rows.size() * 200);
  for (const LedgerRow& row : rows) {
    auto text = [&](std::string_view value) { append_copy_field(data, value); };
    auto nullable = [&](std::string_view value) {
      if (value.empty()) data += "\\N\t";
      else text(value);
    };
    auto number = [&](std::int64_t value) { text(std::to_string(value)); };
    text(row.request_id);
    number(row.started_at_us);
    nullable(row.key_id);
    nullable(row.team_id);
    text(row.dialect);
    text(row.operation);
    text(row.model);
    nullable(row.provider);
    nullable(row.upstream_model);
    number(row.attempts);
    text(row.hedged ? "t" : "f");
    text(row.stream ? "t" : "f");
    number(row.status);
    nullable(row.error_kind);
    number(row.input_tokens);
    number(row.output_tokens);
    number(row.cache_read_tokens);
    number(row.cache_write_tokens);
    number(row.reasoning_tokens);
    if (row.cost_pico) number(*row.cost_pico);
    else data += "\\N\t";
    nullable(row.usage_source);
    number(row.latency_us);
    if (row.ttft_us) number(*row.ttft_us);
    else data += "\\N\t";
    number(row.overhead_us);
    nullable(row.user);
    data.back() = '\n';  // the last field's tab ends the line instead
  }
  auto failed = [&](GatewayError error) -> Result<std::int64_t> {
    (void)writer_.query("ROLLBACK");
    return error;
  };
  if (auto begun = writer_.query("CREATE TEMP TABLE IF NOT EXISTS ledger_staging (LIKE ledger) ON COMMIT DELETE ROWS; BEGIN");
      !begun) {
    return failed(begun.take_error());
  }
  if (Status copied = writer_.copy_in("COPY ledger_staging (" + std::string(kLedgerColumns) + ") FROM STDIN", data); !copied) {
    return failed(copied.take_error());
  }
  auto inserted = writer_.query("INSERT INTO ledger SELECT * FROM ledger_staging ON CONFLICT (started_at, request_id) DO NOTHING");
  if (!inserted) return failed(inserted.take_error());
  if (auto committed = writer_.query("COMMIT"); !committed) return failed(committed.take_error());
  return inserted.value().affected;
}

Result<std::vector<ledger::UsageGroup>> PostgresLedgerStore::usage(const ledger::UsageQuery& query) {
  std::lock_guard lock(read_mutex_);
  if (Status schema = ensure_schema(reader_); !schema) return schema.take_error();
  // percentile_disc(p) is the nearest-rank percentile: the first value whose rank reaches p·n.
  std::string sql =
      "SELECT g, COUNT(*), COUNT(error_kind), SUM(input_tokens), SUM(output_tokens), SUM(cache_read_tokens),"
      " SUM(cache_write_tokens), SUM(reasoning_tokens), COALESCE(SUM(cost_pico), 0), COUNT(*) - COUNT(cost_pico),"
      " percentile_disc(0.5) WITHIN GROUP (ORDER BY latency_us), percentile_disc(0.95) WITHIN GROUP (ORDER BY latency_us)"
      " FROM (SELECT " + usage_group_expression(query.group_by) + " AS g, * FROM ledger WHERE started_at >= $1 AND started_at < $2) t"
      " GROUP BY g ORDER BY g NULLS FIRST";
  auto result = reader_.query(sql, {number(query.from_us), number(query.to_us)});
  if (!result) return result.take_error();
  bool period = ledger::groups_by_period(query.group_by);
  std::vector<ledger::UsageGroup> groups;
  for (const auto& cells : result.value().rows) {
    ledger::UsageGroup group;
    group.group = !cells[0] ? std::string() : period ? ledger::rfc3339(std::stoll(*cells[0])) : *cells[0];
    group.requests = integer_of(cells[1]);
    group.errors = integer_of(cells[2]);
    group.input_tokens = integer_of(cells[3]);
    group.output_tokens = integer_of(cells[4]);
    group.cache_read_tokens = integer_of(cells[5]);
    group.cache_write_tokens = integer_of(cells[6]);
    group.reasoning_tokens = integer_of(cells[7]);
    group.cost_pico = integer_of(cells[8]);
    group.unpriced_requests = integer_of(cells[9]);
    group.latency_p50_us = integer_of(cells[10]);
    group.latency_p95_us = integer_of(cells[11]);
    groups.push_back(std::move(group));
  }
  return groups;
}

Result<ledger::RequestsPage> PostgresLedgerStore::requests(const ledger::RequestsQuery& query) {
  std::lock_guard lock(read_mutex_);
  if (Status schema = ensure_schema(reader_); !schema) return schema.take_error();
  std::string sql = "SELECT " + std::string(kLedgerColumns) + " FROM ledger WHERE TRUE";
  Params params;
  auto param = [&](std::optional<std::string> value) {
    params.push_back(std::move(value));
    return "$" + std::to_string(params.size());
  };
  if (query.before) {
    std::string started = param(number(query.before->first));
    sql += " AND (started_at, request_id) < (" + started + ", " + param(query.before->second) + ")";
  }
  if (query.from_us) sql += " AND started_at >= " + param(number(*query.from_us));
  if (query.to_us) sql += " AND started_at < " + param(number(*query.to_us));
  if (!query.model.empty()) sql += " AND model = " + param(query.model);
  if (!query.key_id.empty()) sql += " AND key_id = " + param(query.key_id);
  if (query.status) sql += " AND status = " + param(number(*query.status));
  sql += " ORDER BY started_at DESC, request_id DESC LIMIT " + param(number(query.limit + 1));
  auto result = reader_.query(sql, params);
  if (!result) return result.take_error();
  ledger::RequestsPage page;
  for (const auto& cells : result.value().rows) page.rows.push_back(read_ledger_row(TextCells{cells}));
  if (page.rows.size() > static_cast<std::size_t>(query.limit)) {
    page.rows.pop_back();
    page.more = true;
  }
  return page;
}

}  // namespace switchyard::store
