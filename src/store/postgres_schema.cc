#include "store/postgres_schema.h"

#include <array>
#include <chrono>
#include <string_view>

namespace switchyard::store {

namespace {

struct Migration {
  int version;
  std::string_view name;
  std::string_view sql;
};

// Times in microseconds since the epoch (UTC), money in integer pico-dollars, as in SQLite.
// Ids compare bytewise (COLLATE "C") so paging by (started_at, request_id) is the same everywhere.
// The key leads with the time: rows arrive in time order, so inserts append to the index
// instead of landing at random places (a random id first made every insert a random write);
// a row replayed from the spool has the same start and id, so it still lands once.
constexpr std::array kMigrations = {
    Migration{1, "the usage ledger",
              "CREATE TABLE ledger ("
              "  request_id TEXT COLLATE \"C\" NOT NULL, started_at BIGINT NOT NULL, key_id TEXT, team_id TEXT,"
              "  dialect TEXT NOT NULL, operation TEXT NOT NULL, model TEXT NOT NULL, provider TEXT,"
              "  upstream_model TEXT, attempts INTEGER NOT NULL, hedged BOOLEAN NOT NULL, stream BOOLEAN NOT NULL,"
              "  status INTEGER NOT NULL, error_kind TEXT, input_tokens BIGINT NOT NULL, output_tokens BIGINT NOT NULL,"
              "  cache_read_tokens BIGINT NOT NULL, cache_write_tokens BIGINT NOT NULL, reasoning_tokens BIGINT NOT NULL,"
              "  cost_pico BIGINT, usage_source TEXT, latency_us BIGINT NOT NULL, ttft_us BIGINT,"
              "  overhead_us BIGINT NOT NULL, \"user\" TEXT, PRIMARY KEY (started_at, request_id));"
              "CREATE INDEX ledger_model ON ledger(model, started_at);"
              "CREATE INDEX ledger_key ON ledger(key_id, started_at);"},
    // Virtual keys and teams as JSON documents (policy/key_records.h), as in SQLite.
    Migration{2, "virtual keys and teams",
              "CREATE TABLE access_records ("
              "  kind TEXT NOT NULL, id TEXT NOT NULL, document TEXT NOT NULL, updated_at BIGINT NOT NULL,"
              "  PRIMARY KEY (kind, id));"},
};

// Any number: the advisory lock replicas take while migrating.
constexpr std::string_view kMigrationLock = "SELECT pg_advisory_xact_lock(7275330)";

std::int64_t integer_of(const std::optional<std::string>& text) { return text ? std::stoll(*text) : 0; }

}  // namespace

Status migrate_postgres(PostgresConnection& connection) {
  using Params = std::vector<std::optional<std::string>>;
  auto run = [&](const std::string& sql, const Params& params = {}) { return connection.query(sql, params); };
  if (auto created = run("CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY,"
                         " name TEXT NOT NULL, applied_at BIGINT NOT NULL)");
      !created) {
    // Two replicas creating it at once: one of them is told it exists, which is fine.
    if (created.error().message.find("already exists") == std::string::npos) return created.take_error();
  }
  auto now = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch());
  for (const Migration& migration : kMigrations) {
    auto step = [&]() -> Status {
      if (auto begun = run("BEGIN"); !begun) return begun.take_error();
      if (auto locked = run(std::string(kMigrationLock)); !locked) return locked.take_error();
      auto current = run("SELECT COALESCE(MAX(version), 0) FROM schema_migrations");
      if (!current) return current.take_error();
      if (integer_of(current.value().rows.at(0).at(0)) < migration.version) {
        if (auto applied = run(std::string(migration.sql)); !applied) return applied.take_error();
        auto recorded = run("INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)",
                            {std::to_string(migration.version), std::string(migration.name), std::to_string(now.count())});
        if (!recorded) return recorded.take_error();
      }
      if (auto committed = run("COMMIT"); !committed) return committed.take_error();
      return Done{};
    };
    if (Status done = step(); !done) {
      (void)run("ROLLBACK");
      return done;
    }
  }
  return Done{};
}

}  // namespace switchyard::store
