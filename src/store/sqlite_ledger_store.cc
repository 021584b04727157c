#include "store/sqlite_ledger_store.h"

#include <sqlite3.h>

#include <map>

#include "store/ledger_sql.h"
#include "store/sqlite_database.h"

namespace switchyard::store {

using ledger::GroupBy;
using ledger::LedgerRow;

namespace {

GatewayError failure(sqlite3* db, std::string_view what) {
  return make_error(ErrorKind::unavailable, std::string(what) + ": " + sqlite3_errmsg(db), "ledger_unavailable");
}

// Empty text is stored as NULL: the ledger's nulls (no key, no error) are empty strings in a row.
Statement& bind_text_or_null(Statement& statement, int index, const std::string& text) {
  return text.empty() ? statement.bind_null(index) : statement.bind(index, text);
}

// A result row's cells, as read_ledger_row asks for them.
struct StatementCells {
  const Statement& query;
  std::string text(int i) const { return query.text(i); }
  std::int64_t integer(int i) const { return query.integer(i); }
  bool flag(int i) const { return query.integer(i) != 0; }
  bool is_null(int i) const { return query.is_null(i); }
};


}  // namespace

Result<std::unique_ptr<SqliteLedgerStore>> SqliteLedgerStore::open(const std::string& path) {
  auto writer = open_sqlite(path);
  if (!writer) return writer.take_error();
  auto reader = open_sqlite(path);
  if (!reader) {
    sqlite3_close(writer.value());
    return reader.take_error();
  }
  return std::unique_ptr<SqliteLedgerStore>(new SqliteLedgerStore(writer.value(), reader.value()));
}

SqliteLedgerStore::~SqliteLedgerStore() {
  sqlite3_close(writer_);
  sqlite3_close(reader_);
}

Result<std::int64_t> SqliteLedgerStore::write(std::span<const LedgerRow> rows) {
  std::lock_guard lock(write_mutex_);
  if (!exec(writer_, "BEGIN IMMEDIATE")) return failure(writer_, "cannot begin a ledger batch");
  std::int64_t added = 0;
  {
    Statement insert(writer_, "INSERT OR IGNORE INTO ledger (" + std::string(kLedgerColumns) +
                                  ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
    for (const LedgerRow& row : rows) {
      insert.reset();
      insert.bind(1, row.request_id).bind(2, row.started_at_us);
      bind_text_or_null(insert, 3, row.key_id);
      bind_text_or_null(insert, 4, row.team_id);
      insert.bind(5, row.dialect).bind(6, row.operation).bind(7, row.model);
      bind_text_or_null(insert, 8, row.provider);
      bind_text_or_null(insert, 9, row.upstream_model);
      insert.bind(10, std::int64_t{row.attempts})
          .bind(11, std::int64_t{row.hedged})
          .bind(12, std::int64_t{row.stream})
          .bind(13, std::int64_t{row.status});
      bind_text_or_null(insert, 14, row.error_kind);
      insert.bind(15, row.input_tokens)
          .bind(16, row.output_tokens)
          .bind(17, row.cache_read_tokens)
          .bind(18, row.cache_write_tokens)
          .bind(19, row.reasoning_tokens);
      if (row.cost_pico) insert.bind(20, *row.cost_pico);
      bind_text_or_null(insert, 21, row.usage_source);
      insert.bind(22, row.latency_us);
      if (row.ttft_us) insert.bind(23, *row.ttft_us);
      insert.bind(24, row.overhead_us);
      bind_text_or_null(insert, 25, row.user);
      if (insert.step() != SQLITE_DONE) {
        GatewayError error = failure(writer_, "cannot write a ledger row");
        exec(writer_, "ROLLBACK");
        return error;
      }
      added += sqlite3_changes(writer_);
    }
  }
  if (!exec(writer_, "COMMIT")) {
    GatewayError error = failure(writer_, "cannot commit a ledger batch");
    exec(writer_, "ROLLBACK");
    return error;
  }
  return added;
}

Result<std::vector<ledger::UsageGroup>> SqliteLedgerStore::usage(const ledger::UsageQuery& query) {
  std::lock_guard lock(read_mutex_);
  std::string group = usage_group_expression(query.group_by);
  Statement totals(reader_,
                   "SELECT " + group +
                       " AS g, COUNT(*), SUM(error_kind IS NOT NULL), SUM(input_tokens), SUM(output_tokens),"
                       " SUM(cache_read_tokens), SUM(cache_write_tokens), SUM(reasoning_tokens), COALESCE(SUM(cost_pico), 0),"
                       " SUM(cost_pico IS NULL) FROM ledger WHERE started_at >= ? AND started_at < ? GROUP BY g ORDER BY g");
  if (!totals.ok()) return failure(reader_, "cannot report usage");
  totals.bind(1, query.from_us).bind(2, query.to_us);
  std::vector<ledger::UsageGroup> groups;
  std::map<std::string, std::size_t> index;  // a group's value -> its place in `groups`
  auto group_text = [&](const Statement& row) {
    return ledger::groups_by_period(query.group_by) ? ledger::rfc3339(row.integer(0)) : row.text(0);
  };
  int rc;
  while ((rc = totals.step()) == SQLITE_ROW) {
    ledger::UsageGroup entry;
    entry.group = group_text(totals);
    entry.requests = totals.integer(1);
    entry.errors = totals.integer(2);
    entry.input_tokens = totals.integer(3);
    entry.output_tokens = totals.integer(4);
    entry.cache_read_tokens = totals.integer(5);
    entry.cache_write_tokens = totals.integer(6);
    entry.reasoning_tokens = totals.integer(7);
    entry.cost_pico = totals.integer(8);
    entry.unpriced_requests = totals.integer(9);
    index.emplace(entry.group, groups.size());
    groups.push_back(std::move(entry));
  }
  if (rc != SQLITE_DONE) return failure(reader_, "cannot report usage");
  // Nearest-rank percentiles: in each group sorted by latency, the value at rank ⌈p·n⌉.
  Statement ranks(reader_,
                  "SELECT g, latency_us, rank, n FROM (SELECT " + group +
                      " AS g, latency_us, ROW_NUMBER() OVER (PARTITION BY " + group +
                      " ORDER BY latency_us) AS rank, COUNT(*) OVER (PARTITION BY " + group +
                      ") AS n FROM ledger WHERE started_at >= ? AND started_at < ?)"
                      " WHERE rank = (n * 50 + 99) / 100 OR rank = (n * 95 + 99) / 100");
  if (!ranks.ok()) return failure(reader_, "cannot report latency percentiles");
  ranks.bind(1, query.from_us).bind(2, query.to_us);
  while ((rc = ranks.step()) == SQLITE_ROW) {
    auto found = index.find(group_text(ranks));
    if (found == index.end()) continue;
    ledger::UsageGroup& entry = groups[found->second];
    std::int64_t rank = ranks.integer(2), n = ranks.integer(3);
    if (rank == (n * 50 + 99) / 100) entry.latency_p50_us = ranks.integer(1);
    if (rank == (n * 95 + 99) / 100) entry.latency_p95_us = ranks.integer(1);
  }
  if (rc != SQLITE_DONE) return failure(reader_, "cannot report latency percentiles");
  return groups;
}

Result<ledger::RequestsPage> SqliteLedgerStore::requests(const ledger::RequestsQuery& query) {
  std::lock_guard lock(read_mutex_);
  std::string sql = "SELECT " + std::string(kLedgerColumns) + " FROM ledger WHERE 1";
  if (query.before) sql += " AND (started_at, request_id) < (?, ?)";
  if (query.from_us) sql += " AND started_at >= ?";
  if (query.to_us) sql += " AND started_at < ?";
  if (!query.model.empty()) sql += " AND model = ?";
  if (!query.key_id.empty()) sql += " AND key_id = ?";
  if (query.status) sql += " AND status = ?";
  sql += " ORDER BY started_at DESC, request_id DESC LIMIT ?";
  Statement select(reader_, sql);
  if (!select.ok()) return failure(reader_, "cannot list requests");
  int at = 1;
  if (query.before) {
    select.bind(at++, query.before->first);
    select.bind(at++, query.before->second);
  }
  if (query.from_us) select.bind(at++, *query.from_us);
  if (query.to_us) select.bind(at++, *query.to_us);
  if (!query.model.empty()) select.bind(at++, query.model);
  if (!query.key_id.empty()) select.bind(at++, query.key_id);
  if (query.status) select.bind(at++, std::int64_t{*query.status});
  select.bind(at, std::int64_t{query.limit} + 1);  // one more tells whether there is a next page
  ledger::RequestsPage page;
  int rc;
  while ((rc = select.step()) == SQLITE_ROW) page.rows.push_back(read_ledger_row(StatementCells{select}));
  if (rc != SQLITE_DONE) return failure(reader_, "cannot list requests");
  if (page.rows.size() > static_cast<std::size_t>(query.limit)) {
    page.rows.pop_back();
    page.more = true;
  }
  return page;
}

}  // namespace switchyard::store
