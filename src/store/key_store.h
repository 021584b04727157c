// Where virtual keys and teams are kept: the embedded SQLite file by default, PostgreSQL
// when replicas share them. The gateway holds every record in memory (authentication never
// reads a database) and writes through here on each change; this store only keeps records
// as opaque documents (policy/key_records.h writes and reads them).
//
// Every call waits on the store's own thread and resumes the caller on its executor.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <string>
#include <vector>

#include "core/result.h"

namespace switchyard::store {

struct AccessRecord {
  std::string kind;      // "key" or "team"
  std::string id;
  std::string document;  // JSON
};

class KeyStore {
 public:
  virtual ~KeyStore() = default;
  virtual boost::asio::awaitable<Result<std::vector<AccessRecord>>> load() = 0;
  // Inserts or replaces the record of the same kind and id; done once it is durable. By
  // reference, from a named variable: g++ 12 relocates a class temporary made inside a
  // co_await expression without its move constructor, which breaks short strings (stored in
  // place) that it holds.
  virtual boost::asio::awaitable<Status> put(const AccessRecord& record) = 0;
  // The same as load(), blocking: for the process's start, before any event loop runs.
  virtual Result<std::vector<AccessRecord>> load_now() = 0;
};

}  // namespace switchyard::store
