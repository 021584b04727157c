// One libpq connection used through the library's asynchronous API, so that every step
// (connecting, sending, waiting for results) has a deadline: a PostgreSQL server that is
// down, unreachable or stuck costs its caller at most that long, never a hung thread.
// Reconnects on the next call after a failure. Used by one thread at a time.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"

struct pg_conn;
struct pg_result;

namespace switchyard::store {

// A query's rows, as text (NULL: nullopt).
struct PgRows {
  std::vector<std::vector<std::optional<std::string>>> rows;
  std::int64_t affected = 0;  // rows an INSERT/UPDATE/DELETE touched
};

class PostgresConnection {
 public:
  PostgresConnection(std::string conninfo, std::chrono::milliseconds timeout);
  ~PostgresConnection();
  PostgresConnection(const PostgresConnection&) = delete;
  PostgresConnection& operator=(const PostgresConnection&) = delete;

  // Runs `sql` with text parameters ($1, $2, ...; nullopt: NULL). Several statements
  // without parameters may be sent at once; the last one's rows are returned.
  Result<PgRows> query(const std::string& sql, const std::vector<std::optional<std::string>>& params = {});
  // Runs `copy` (a COPY ... FROM STDIN) with `data` (its text format) as the input.
  Status copy_in(const std::string& copy, std::string_view data);

 private:
  Status connect();
  void drop();
  // Sends what libpq buffered and reads every result of the command in flight.
  Result<PgRows> finish(std::chrono::steady_clock::time_point deadline);

  std::string conninfo_;
  std::chrono::milliseconds timeout_;
  pg_conn* conn_ = nullptr;
};

}  // namespace switchyard::store
