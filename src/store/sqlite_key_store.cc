#include "store/sqlite_key_store.h"

#include <sqlite3.h>

#include <chrono>
#include <memory>

#include "core/on_thread.h"
#include "store/sqlite_database.h"

namespace switchyard::store {

Result<std::unique_ptr<SqliteKeyStore>> SqliteKeyStore::open(const std::string& path) {
  auto db = open_sqlite(path);
  if (!db) return db.take_error();
  return std::unique_ptr<SqliteKeyStore>(new SqliteKeyStore(db.value()));
}

SqliteKeyStore::~SqliteKeyStore() {
  thread_.join();
  sqlite3_close(db_);
}

Result<std::vector<AccessRecord>> SqliteKeyStore::load_now() {
  std::lock_guard lock(mutex_);
  Statement query(db_, "SELECT kind, id, document FROM access_records ORDER BY kind, id");
  if (!query.ok()) return make_error(ErrorKind::internal, sqlite3_errmsg(db_), "store_unavailable");
  std::vector<AccessRecord> records;
  int rc;
  while ((rc = query.step()) == SQLITE_ROW) records.push_back({query.text(0), query.text(1), query.text(2)});
  if (rc != SQLITE_DONE) return make_error(ErrorKind::internal, sqlite3_errmsg(db_), "store_unavailable");
  return records;
}

Status SqliteKeyStore::write(const AccessRecord& record) {
  std::lock_guard lock(mutex_);
  auto now = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch());
  Statement upsert(db_, "INSERT OR REPLACE INTO access_records (kind, id, document, updated_at) VALUES (?, ?, ?, ?)");
  if (!upsert.ok() || upsert.bind(1, record.kind).bind(2, record.id).bind(3, record.document)
                              .bind(4, static_cast<std::int64_t>(now.count())).step() != SQLITE_DONE) {
    return make_error(ErrorKind::internal, std::string("the key store failed: ") + sqlite3_errmsg(db_),
                      "store_unavailable");
  }
  return Done{};
}

boost::asio::awaitable<Result<std::vector<AccessRecord>>> SqliteKeyStore::load() {
  return on_thread<Result<std::vector<AccessRecord>>>(thread_, [this] { return load_now(); });
}

boost::asio::awaitable<Status> SqliteKeyStore::put(const AccessRecord& record) {
  // Copied to the heap here: the caller's record may be a coroutine's local.
  auto held = std::make_shared<const AccessRecord>(record);
  return on_thread<Status>(thread_, [this, held] { return write(*held); });
}

}  // namespace switchyard::store
