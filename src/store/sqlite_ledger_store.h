// The embedded default ledger store: the `ledger` table of switchyard.db. It holds two
// connections, one for the ledger's writer and one for the usage API's reader, so a long
// report never holds up a batch (WAL lets them run side by side).
#pragma once

#include <memory>
#include <mutex>
#include <string>

#include "ledger/ledger_store.h"

struct sqlite3;

namespace switchyard::store {

class SqliteLedgerStore final : public ledger::LedgerStore {
 public:
  static Result<std::unique_ptr<SqliteLedgerStore>> open(const std::string& path);
  ~SqliteLedgerStore() override;

  Result<std::int64_t> write(std::span<const ledger::LedgerRow> rows) override;
  Result<std::vector<ledger::UsageGroup>> usage(const ledger::UsageQuery& query) override;
  Result<ledger::RequestsPage> requests(const ledger::RequestsQuery& query) override;

 private:
  SqliteLedgerStore(sqlite3* writer, sqlite3* reader) : writer_(writer), reader_(reader) {}
  sqlite3* writer_;
  sqlite3* reader_;
  std::mutex write_mutex_;
  std::mutex read_mutex_;
};

}  // namespace switchyard::store
