#include "store/sqlite_response_store.h"

#include <sqlite3.h>

#include <array>
#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <chrono>
#include <string_view>

#include "core/log.h"

namespace switchyard::store {
namespace net = boost::asio;

namespace {

// The schema, one step per version. A step is never edited once released: a change is a new one.
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
};

// Expired responses are deleted every this many writes (and at open).
constexpr std::int64_t kPurgeEvery = 256;

std::int64_t now_seconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

// One prepared statement, finalized on every path.
class Statement {
 public:
  Statement(sqlite3* db, std::string_view sql) {
    if (sqlite3_prepare_v2(db, sql.data(), static_cast<int>(sql.size()), &statement_, nullptr) != SQLITE_OK) {
      statement_ = nullptr;
    }
  }
  ~Statement() { sqlite3_finalize(statement_); }
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  bool ok() const { return statement_ != nullptr; }
  Statement& bind(int index, std::string_view text) {
    if (statement_) sqlite3_bind_text(statement_, index, text.data(), static_cast<int>(text.size()), SQLITE_TRANSIENT);
    return *this;
  }
  Statement& bind(int index, std::int64_t number) {
    if (statement_) sqlite3_bind_int64(statement_, index, number);
    return *this;
  }
  // SQLITE_ROW, SQLITE_DONE or an error code.
  int step() { return statement_ ? sqlite3_step(statement_) : SQLITE_ERROR; }
  std::string text(int column) const {
    auto* data = reinterpret_cast<const char*>(sqlite3_column_text(statement_, column));
    return data ? std::string(data, static_cast<std::size_t>(sqlite3_column_bytes(statement_, column))) : std::string();
  }
  std::int64_t integer(int column) const { return sqlite3_column_int64(statement_, column); }

 private:
  sqlite3_stmt* statement_ = nullptr;
};

bool exec(sqlite3* db, std::string_view sql, std::string* problem = nullptr) {
  char* message = nullptr;
  int rc = sqlite3_exec(db, std::string(sql).c_str(), nullptr, nullptr, &message);
  if (rc != SQLITE_OK && problem) *problem = message ? message : sqlite3_errstr(rc);
  sqlite3_free(message);
  return rc == SQLITE_OK;
}

// Applies the migrations the file lacks; returns the version it is at, or an error.
Result<int> migrate(sqlite3* db) {
  std::string problem;
  if (!exec(db, "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL,"
                " applied_at INTEGER NOT NULL)",
            &problem)) {
    return make_error(ErrorKind::internal, "cannot create schema_migrations: " + problem, "store_unavailable");
  }
  Statement current(db, "SELECT COALESCE(MAX(version), 0) FROM schema_migrations");
  int version = current.step() == SQLITE_ROW ? static_cast<int>(current.integer(0)) : 0;
  for (const Migration& migration : kMigrations) {
    if (migration.version <= version) continue;
    bool applied = exec(db, "BEGIN IMMEDIATE", &problem) && exec(db, migration.sql, &problem);
    if (applied) {
      Statement record(db, "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)");
      applied = record.bind(1, std::int64_t{migration.version}).bind(2, migration.name).bind(3, now_seconds()).step() ==
                    SQLITE_DONE &&
                exec(db, "COMMIT", &problem);
    }
    if (!applied) {
      exec(db, "ROLLBACK");
      return make_error(ErrorKind::internal,
                        "migration " + std::to_string(migration.version) + " (" + std::string(migration.name) +
                            ") failed: " + problem,
                        "store_unavailable");
    }
    version = migration.version;
  }
  return version;
}

// Runs `work` on the store's thread and resumes the awaiting coroutine on its own executor
// with the result.
template <class T, class Work>
net::awaitable<T> on_thread(net::thread_pool& thread, Work work) {
  return net::async_initiate<decltype(net::use_awaitable), void(T)>(
      [&thread](auto handler, Work job) {
        net::post(thread, [handler = std::move(handler), job = std::move(job)]() mutable {
          T result = job();
          auto home = net::get_associated_executor(handler);
          net::dispatch(home, [handler = std::move(handler), result = std::move(result)]() mutable {
            handler(std::move(result));
          });
        });
      },
      net::use_awaitable, std::move(work));
}

}  // namespace

Result<std::unique_ptr<SqliteResponseStore>> SqliteResponseStore::open(const std::string& path) {
  sqlite3* db = nullptr;
  int rc = sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    std::string problem = db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
    sqlite3_close(db);
    return make_error(ErrorKind::internal, "cannot open the database " + path + ": " + problem, "store_unavailable");
  }
  // WAL lets a reader in another process (an operator's sqlite3 shell) coexist with the writer;
  // NORMAL sync is safe under WAL and spares a flush per answer.
  exec(db, "PRAGMA journal_mode=WAL");
  exec(db, "PRAGMA synchronous=NORMAL");
  exec(db, "PRAGMA foreign_keys=ON");
  sqlite3_busy_timeout(db, 5000);
  auto version = migrate(db);
  if (!version) {
    sqlite3_close(db);
    return make_error(ErrorKind::internal, "cannot use the database " + path + ": " + version.error().message,
                      "store_unavailable");
  }
  std::unique_ptr<SqliteResponseStore> store(new SqliteResponseStore(db, version.value()));
  store->purge_expired(now_seconds());
  return store;
}

SqliteResponseStore::~SqliteResponseStore() {
  thread_.join();  // queued writes land before the file closes
  sqlite3_close(db_);
}

void SqliteResponseStore::put(StoredResponse response) {
  net::post(thread_, [this, response = std::move(response)] { write(response); });
}

void SqliteResponseStore::write(const StoredResponse& response) {
  bool ok = exec(db_, "BEGIN IMMEDIATE");
  Statement row(db_,
                "INSERT OR REPLACE INTO responses (id, owner, body, conversation, created_at, expires_at)"
                " VALUES (?, ?, ?, ?, ?, ?)");
  ok = ok && row.bind(1, response.id).bind(2, response.owner).bind(3, response.body).bind(4, response.conversation)
                     .bind(5, response.created_at).bind(6, response.expires_at).step() == SQLITE_DONE;
  // Each item with an id, findable by an item_reference. The JSON function reads the array in SQL.
  Statement items(db_,
                  "INSERT OR REPLACE INTO response_items (item_id, response_id, owner, item)"
                  " SELECT json_extract(value, '$.id'), ?, ?, value FROM json_each(?)"
                  " WHERE json_type(value, '$.id') = 'text'");
  ok = ok && items.bind(1, response.id).bind(2, response.owner).bind(3, response.conversation).step() == SQLITE_DONE;
  if (ok && exec(db_, "COMMIT")) {
    if (++puts_since_purge_ >= kPurgeEvery) purge_expired(now_seconds());
    return;
  }
  std::string problem = sqlite3_errmsg(db_);
  exec(db_, "ROLLBACK");
  log::error("a response could not be stored", {{"response_id", response.id}, {"error", problem}});
}

void SqliteResponseStore::purge_expired(std::int64_t now) {
  puts_since_purge_ = 0;
  Statement purge(db_, "DELETE FROM responses WHERE expires_at <= ?");
  purge.bind(1, now).step();
  Statement upstream(db_, "DELETE FROM upstream_responses WHERE expires_at <= ?");
  upstream.bind(1, now).step();
}

net::awaitable<std::optional<StoredResponse>> SqliteResponseStore::get(std::string id, std::string owner) {
  return on_thread<std::optional<StoredResponse>>(thread_, [this, id = std::move(id), owner = std::move(owner)] {
    Statement query(db_,
                    "SELECT body, conversation, created_at, expires_at FROM responses"
                    " WHERE id = ? AND owner = ? AND expires_at > ?");
    query.bind(1, id).bind(2, owner).bind(3, now_seconds());
    std::optional<StoredResponse> found;
    if (query.step() == SQLITE_ROW) {
      found = StoredResponse{id, owner, query.text(0), query.text(1), query.integer(2), query.integer(3)};
    }
    return found;
  });
}

net::awaitable<std::optional<std::string>> SqliteResponseStore::find_item(std::string item_id, std::string owner) {
  return on_thread<std::optional<std::string>>(thread_, [this, item_id = std::move(item_id), owner = std::move(owner)] {
    Statement query(db_,
                    "SELECT i.item FROM response_items i JOIN responses r ON r.id = i.response_id"
                    " WHERE i.item_id = ? AND i.owner = ? AND r.expires_at > ? LIMIT 1");
    query.bind(1, item_id).bind(2, owner).bind(3, now_seconds());
    std::optional<std::string> found;
    if (query.step() == SQLITE_ROW) found = query.text(0);
    return found;
  });
}

net::awaitable<bool> SqliteResponseStore::remove(std::string id, std::string owner) {
  return on_thread<bool>(thread_, [this, id = std::move(id), owner = std::move(owner)] {
    Statement erase(db_, "DELETE FROM responses WHERE id = ? AND owner = ?");
    return erase.bind(1, id).bind(2, owner).step() == SQLITE_DONE && sqlite3_changes(db_) > 0;
  });
}

void SqliteResponseStore::note_upstream(std::string id, std::string owner, std::string provider, std::int64_t expires_at) {
  net::post(thread_, [this, id = std::move(id), owner = std::move(owner), provider = std::move(provider), expires_at] {
    Statement row(db_, "INSERT OR REPLACE INTO upstream_responses (id, owner, provider, expires_at) VALUES (?, ?, ?, ?)");
    if (row.bind(1, id).bind(2, owner).bind(3, provider).bind(4, expires_at).step() != SQLITE_DONE) {
      log::error("an upstream response could not be noted", {{"response_id", id}, {"error", sqlite3_errmsg(db_)}});
    }
    if (++puts_since_purge_ >= kPurgeEvery) purge_expired(now_seconds());
  });
}

net::awaitable<std::optional<std::string>> SqliteResponseStore::upstream_of(std::string id, std::string owner) {
  return on_thread<std::optional<std::string>>(thread_, [this, id = std::move(id), owner = std::move(owner)] {
    Statement query(db_, "SELECT provider FROM upstream_responses WHERE id = ? AND owner = ? AND expires_at > ?");
    query.bind(1, id).bind(2, owner).bind(3, now_seconds());
    std::optional<std::string> found;
    if (query.step() == SQLITE_ROW) found = query.text(0);
    return found;
  });
}

}  // namespace switchyard::store
