// The gateway's SQLite file (switchyard.db): opening a connection with the settings every
// store uses, bringing the one versioned schema up to date, and a prepared statement that
// is finalized on every path. Each store holds its own connections, each used by one thread.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/result.h"

struct sqlite3;
struct sqlite3_stmt;

namespace switchyard::store {

// A connection to the database at `path` (created if missing) in WAL mode, its schema
// migrated to the newest version. Close it with sqlite3_close.
Result<sqlite3*> open_sqlite(const std::string& path);

// The schema version of the database `db` is at (the number of migrations applied).
int sqlite_schema_version(sqlite3* db);

// Runs `sql` (one or more statements without parameters); false with the reason in `problem`.
bool exec(sqlite3* db, std::string_view sql, std::string* problem = nullptr);

class Statement {
 public:
  Statement(sqlite3* db, std::string_view sql);
  ~Statement();
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  bool ok() const { return statement_ != nullptr; }
  Statement& bind(int index, std::string_view text);
  Statement& bind(int index, std::int64_t number);
  Statement& bind_null(int index);
  // SQLITE_ROW, SQLITE_DONE or an error code.
  int step();
  // Makes the statement ready to run again with new bindings.
  void reset();
  std::string text(int column) const;
  std::int64_t integer(int column) const;
  bool is_null(int column) const;

 private:
  sqlite3_stmt* statement_ = nullptr;
};

}  // namespace switchyard::store
