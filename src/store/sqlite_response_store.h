// The embedded default ResponseStore: one SQLite file (WAL), served by one thread of its own
// so the event loops never wait on the disk. Its schema is versioned (see migrations in the
// .cc): opening a file applies the migrations it lacks, in order, each in a transaction.
#pragma once

#include <boost/asio/thread_pool.hpp>
#include <memory>
#include <string>

#include "core/result.h"
#include "store/response_store.h"

struct sqlite3;

namespace switchyard::store {

class SqliteResponseStore final : public ResponseStore {
 public:
  // Opens (creating) the database at `path` and brings its schema up to date.
  static Result<std::unique_ptr<SqliteResponseStore>> open(const std::string& path);
  ~SqliteResponseStore() override;

  void put(StoredResponse response) override;
  boost::asio::awaitable<std::optional<StoredResponse>> get(std::string id, std::string owner) override;
  boost::asio::awaitable<std::optional<std::string>> find_item(std::string item_id, std::string owner) override;
  boost::asio::awaitable<bool> remove(std::string id, std::string owner) override;
  void note_upstream(std::string id, std::string owner, std::string provider, std::int64_t expires_at) override;
  boost::asio::awaitable<std::optional<std::string>> upstream_of(std::string id, std::string owner) override;

  // The schema version the file is at (the number of migrations applied).
  int schema_version() const { return schema_version_; }

 private:
  explicit SqliteResponseStore(sqlite3* db, int schema_version) : db_(db), schema_version_(schema_version) {}
  void write(const StoredResponse& response);
  void purge_expired(std::int64_t now);

  sqlite3* db_;
  int schema_version_;
  std::int64_t puts_since_purge_ = 0;
  boost::asio::thread_pool thread_{1};  // the only thread that touches db_
};

}  // namespace switchyard::store
