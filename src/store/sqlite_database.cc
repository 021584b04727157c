#include "store/sqlite_database.h"

#include <sqlite3.h>

#include <array>
#include <chrono>

namespace switchyard::store {

namespace {

// The schema, one step per version, for every store in the file. A step is never edited
// once released: a change is a new one.
struct Migration {
  int version;
  std::string_view name;
  std::string_view sql;
};

constexpr std::array kMigrations = {
    Migration{1, "stored responses",
              "CREATE TABLE responses ("
              "  id TEXT PRIMARY KEY, owner TEXT NOT NULL, body TEXT NOT NULL, conversation TEXT NOT NULL,"
              "  created_at INTEGER NOT NULL, expires_at INTEGER NOT NULL);"
              "CREATE INDEX responses_expiry ON responses(expires_at);"
              "CREATE TABLE response_items ("
              "  item_id TEXT NOT NULL, response_id TEXT NOT NULL REFERENCES responses(id) ON DELETE CASCADE,"
              "  owner TEXT NOT NULL, item TEXT NOT NULL, PRIMARY KEY (item_id, response_id));"
              "CREATE INDEX response_items_response ON response_items(response_id);"},
    Migration{2, "where upstreams keep their own responses",
              "CREATE TABLE upstream_responses ("
              "  id TEXT PRIMARY KEY, owner TEXT NOT NULL, provider TEXT NOT NULL, expires_at INTEGER NOT NULL);"
              "CREATE INDEX upstream_responses_expiry ON upstream_responses(expires_at);"},
    // Times in microseconds since the epoch (UTC), money in integer pico-dollars. A row is
    // unique by (started_at, request_id), which also orders the pages: rows arrive in time
    // order, so inserts append (unique by a random id alone, every insert was a random write,
    // three times the cost). A row replayed from the spool has the same start and id.
    Migration{3, "the usage ledger",
              "CREATE TABLE ledger ("
              "  request_id TEXT NOT NULL, started_at INTEGER NOT NULL, key_id TEXT, team_id TEXT,"
              "  dialect TEXT NOT NULL, operation TEXT NOT NULL, model TEXT NOT NULL, provider TEXT,"
              "  upstream_model TEXT, attempts INTEGER NOT NULL, hedged INTEGER NOT NULL, stream INTEGER NOT NULL,"
              "  status INTEGER NOT NULL, error_kind TEXT, input_tokens INTEGER NOT NULL,"
              "  output_tokens INTEGER NOT NULL, cache_read_tokens INTEGER NOT NULL,"
              "  cache_write_tokens INTEGER NOT NULL, reasoning_tokens INTEGER NOT NULL, cost_pico INTEGER,"
              "  usage_source TEXT, latency_us INTEGER NOT NULL, ttft_us INTEGER, overhead_us INTEGER NOT NULL,"
              "  user TEXT);"
              "CREATE UNIQUE INDEX ledger_started ON ledger(started_at, request_id);"
              "CREATE INDEX ledger_model ON ledger(model, started_at);"
              "CREATE INDEX ledger_key ON ledger(key_id, started_at);"},
    // Virtual keys and teams, each as the JSON document policy/key_records.h writes: the
    // gateway reads them all at start and keeps them in memory, so nothing here is queried.
    Migration{4, "virtual keys and teams",
              "CREATE TABLE access_records ("
              "  kind TEXT NOT NULL, id TEXT NOT NULL, document TEXT NOT NULL, updated_at INTEGER NOT NULL,"
              "  PRIMARY KEY (kind, id));"},
};

std::int64_t now_seconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

// Applies the migrations the file lacks, each in its own transaction; the version is read
// inside it, so two processes opening one file at once apply each step once.
Status migrate(sqlite3* db) {
  std::string problem;
  if (!exec(db, "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL,"
                " applied_at INTEGER NOT NULL)",
            &problem)) {
    return make_error(ErrorKind::internal, "cannot create schema_migrations: " + problem, "store_unavailable");
  }
  for (const Migration& migration : kMigrations) {
    if (!exec(db, "BEGIN IMMEDIATE", &problem)) {
      return make_error(ErrorKind::internal, "cannot migrate: " + problem, "store_unavailable");
    }
    bool applied = true;
    if (sqlite_schema_version(db) < migration.version) {
      Statement record(db, "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)");
      applied = exec(db, migration.sql, &problem) &&
                record.bind(1, std::int64_t{migration.version}).bind(2, migration.name).bind(3, now_seconds()).step() ==
                    SQLITE_DONE;
      if (!applied && problem.empty()) problem = sqlite3_errmsg(db);
    }
    if (!applied || !exec(db, "COMMIT", &problem)) {
      exec(db, "ROLLBACK");
      return make_error(ErrorKind::internal,
                        "migration " + std::to_string(migration.version) + " (" + std::string(migration.name) +
                            ") failed: " + problem,
                        "store_unavailable");
    }
  }
  return Done{};
}

}  // namespace

Result<sqlite3*> open_sqlite(const std::string& path) {
  sqlite3* db = nullptr;
  int rc = sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    std::string problem = db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
    sqlite3_close(db);
    return make_error(ErrorKind::internal, "cannot open the database " + path + ": " + problem, "store_unavailable");
  }
  // WAL lets readers (the usage API, an operator's sqlite3 shell) coexist with the writers;
  // NORMAL sync is safe under WAL and spares a flush per transaction.
  sqlite3_busy_timeout(db, 5000);
  exec(db, "PRAGMA journal_mode=WAL");
  exec(db, "PRAGMA synchronous=NORMAL");
  exec(db, "PRAGMA foreign_keys=ON");
  // Checkpoints every 8,000 pages (32 MB of WAL) rather than 1,000: the ledger's batches
  // touch the same index pages again and again, and each checkpoint writes them back.
  exec(db, "PRAGMA wal_autocheckpoint=8000");
  Status migrated = migrate(db);
  if (!migrated) {
    sqlite3_close(db);
    return make_error(ErrorKind::internal, "cannot use the database " + path + ": " + migrated.error().message,
                      "store_unavailable");
  }
  return db;
}

int sqlite_schema_version(sqlite3* db) {
  Statement current(db, "SELECT COALESCE(MAX(version), 0) FROM schema_migrations");
  return current.step() == SQLITE_ROW ? static_cast<int>(current.integer(0)) : 0;
}

bool exec(sqlite3* db, std::string_view sql, std::string* problem) {
  char* message = nullptr;
  int rc = sqlite3_exec(db, std::string(sql).c_str(), nullptr, nullptr, &message);
  if (rc != SQLITE_OK && problem) *problem = message ? message : sqlite3_errstr(rc);
  sqlite3_free(message);
  return rc == SQLITE_OK;
}

Statement::Statement(sqlite3* db, std::string_view sql) {
  if (sqlite3_prepare_v2(db, sql.data(), static_cast<int>(sql.size()), &statement_, nullptr) != SQLITE_OK) {
    statement_ = nullptr;
  }
}

Statement::~Statement() { sqlite3_finalize(statement_); }

Statement& Statement::bind(int index, std::string_view text) {
  if (statement_) sqlite3_bind_text(statement_, index, text.data(), static_cast<int>(text.size()), SQLITE_TRANSIENT);
  return *this;
}

Statement& Statement::bind(int index, std::int64_t number) {
  if (statement_) sqlite3_bind_int64(statement_, index, number);
  return *this;
}

Statement& Statement::bind_null(int index) {
  if (statement_) sqlite3_bind_null(statement_, index);
  return *this;
}

int Statement::step() { return statement_ ? sqlite3_step(statement_) : SQLITE_ERROR; }

void Statement::reset() {
  if (!statement_) return;
  sqlite3_reset(statement_);
  sqlite3_clear_bindings(statement_);
}

std::string Statement::text(int column) const {
  auto* data = reinterpret_cast<const char*>(sqlite3_column_text(statement_, column));
  return data ? std::string(data, static_cast<std::size_t>(sqlite3_column_bytes(statement_, column))) : std::string();
}

std::int64_t Statement::integer(int column) const { return sqlite3_column_int64(statement_, column); }

bool Statement::is_null(int column) const { return sqlite3_column_type(statement_, column) == SQLITE_NULL; }

}  // namespace switchyard::store
