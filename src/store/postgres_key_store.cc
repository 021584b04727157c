#include "store/postgres_key_store.h"

#include <chrono>
#include <memory>

#include "core/on_thread.h"
#include "store/postgres_schema.h"

namespace switchyard::store {

PostgresKeyStore::PostgresKeyStore(const std::string& conninfo, std::chrono::milliseconds timeout)
    : connection_(conninfo, timeout) {}

PostgresKeyStore::~PostgresKeyStore() { thread_.join(); }

Status PostgresKeyStore::ensure_schema() {
  if (migrated_) return Done{};
  if (Status migrated = migrate_postgres(connection_); !migrated) return migrated;
  migrated_ = true;
  return Done{};
}

Result<std::vector<AccessRecord>> PostgresKeyStore::load_now() {
  std::lock_guard lock(mutex_);
  if (Status schema = ensure_schema(); !schema) return schema.take_error();
  auto rows = connection_.query("SELECT kind, id, document FROM access_records ORDER BY kind, id");
  if (!rows) return rows.take_error();
  std::vector<AccessRecord> records;
  for (const auto& row : rows.value().rows) {
    records.push_back({row.at(0).value_or(""), row.at(1).value_or(""), row.at(2).value_or("")});
  }
  return records;
}

Status PostgresKeyStore::write(const AccessRecord& record) {
  std::lock_guard lock(mutex_);
  if (Status schema = ensure_schema(); !schema) return schema.take_error();
  auto now = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch());
  auto written = connection_.query(
      "INSERT INTO access_records (kind, id, document, updated_at) VALUES ($1, $2, $3, $4)"
      " ON CONFLICT (kind, id) DO UPDATE SET document = EXCLUDED.document, updated_at = EXCLUDED.updated_at",
      {record.kind, record.id, record.document, std::to_string(now.count())});
  if (!written) return written.take_error();
  return Done{};
}

boost::asio::awaitable<Result<std::vector<AccessRecord>>> PostgresKeyStore::load() {
  return on_thread<Result<std::vector<AccessRecord>>>(thread_, [this] { return load_now(); });
}

boost::asio::awaitable<Status> PostgresKeyStore::put(const AccessRecord& record) {
  // Copied to the heap here: the caller's record may be a coroutine's local.
  auto held = std::make_shared<const AccessRecord>(record);
  return on_thread<Status>(thread_, [this, held] { return write(*held); });
}

}  // namespace switchyard::store
