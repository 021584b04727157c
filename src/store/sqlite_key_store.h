// The embedded default KeyStore: the access_records table of the gateway's SQLite file,
// on one thread of its own.
#pragma once

#include <boost/asio/thread_pool.hpp>
#include <memory>
#include <mutex>

#include "store/key_store.h"

struct sqlite3;

namespace switchyard::store {

class SqliteKeyStore final : public KeyStore {
 public:
  static Result<std::unique_ptr<SqliteKeyStore>> open(const std::string& path);
  ~SqliteKeyStore() override;

  boost::asio::awaitable<Result<std::vector<AccessRecord>>> load() override;
  boost::asio::awaitable<Status> put(const AccessRecord& record) override;
  Result<std::vector<AccessRecord>> load_now() override;

 private:
  explicit SqliteKeyStore(sqlite3* db) : db_(db) {}
  Status write(const AccessRecord& record);

  sqlite3* db_;
  std::mutex mutex_;  // load_now may run on the caller's thread
  boost::asio::thread_pool thread_{1};
};

}  // namespace switchyard::store
