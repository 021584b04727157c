// Virtual keys and teams in PostgreSQL, shared by replicas (storage.database: postgres://...).
// One connection on a thread of its own; the schema is migrated on first use.
#pragma once

#include <boost/asio/thread_pool.hpp>
#include <mutex>

#include "store/key_store.h"
#include "store/postgres_connection.h"

namespace switchyard::store {

class PostgresKeyStore final : public KeyStore {
 public:
  explicit PostgresKeyStore(const std::string& conninfo, std::chrono::milliseconds timeout = std::chrono::seconds(5));
  ~PostgresKeyStore() override;

  boost::asio::awaitable<Result<std::vector<AccessRecord>>> load() override;
  boost::asio::awaitable<Status> put(const AccessRecord& record) override;
  Result<std::vector<AccessRecord>> load_now() override;

 private:
  Status write(const AccessRecord& record);
  Status ensure_schema();

  PostgresConnection connection_;
  std::mutex mutex_;  // load_now may run on another thread than the store's
  bool migrated_ = false;
  boost::asio::thread_pool thread_{1};
};

}  // namespace switchyard::store
