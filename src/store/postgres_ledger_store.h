// The ledger in PostgreSQL, for replicas that share one (storage.database: postgres://...).
// The schema is created and migrated by the gateway itself (versioned steps, under an
// advisory lock so replicas starting together apply each once), on the first connection
// that succeeds: a gateway whose database is down at start still starts, and spools.
// Two connections, like the SQLite store: one for the writer, one for the usage API.
#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <string>

#include "ledger/ledger_store.h"
#include "store/postgres_connection.h"

namespace switchyard::store {

class PostgresLedgerStore final : public ledger::LedgerStore {
 public:
  explicit PostgresLedgerStore(const std::string& conninfo,
                               std::chrono::milliseconds timeout = std::chrono::seconds(5));

  Result<std::int64_t> write(std::span<const ledger::LedgerRow> rows) override;
  Result<std::vector<ledger::UsageGroup>> usage(const ledger::UsageQuery& query) override;
  Result<ledger::RequestsPage> requests(const ledger::RequestsQuery& query) override;

 private:
  Status ensure_schema(PostgresConnection& connection);

  PostgresConnection writer_;
  PostgresConnection reader_;
  std::mutex write_mutex_;
  std::mutex read_mutex_;
  std::atomic<bool> migrated_{false};
};

// Whether a storage.database value names PostgreSQL.
bool is_postgres_url(std::string_view url);

}  // namespace switchyard::store
