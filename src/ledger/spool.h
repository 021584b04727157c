// The ledger's safety net: an append-only local file of rows the database could not take
// (it was unreachable or slow, or the queue was full), one JSON line per row. Rows are
// replayed from it, once, when the database is back. A replay takes the whole file aside
// first (renames it), so rows appended meanwhile start a new file and are never truncated
// away; a file taken aside but not replayed (the database failed again, the process
// stopped) is replayed first next time. The store skips rows it already has, so a replay
// interrupted half-way lands each row exactly once.
#pragma once

#include <cstdint>
#include <functional>
#include <mutex>
#include <span>
#include <string>
#include <vector>

#include "core/result.h"
#include "ledger/ledger_row.h"

namespace switchyard::ledger {

class Spool {
 public:
  // `path` is the spool file; `path` + ".replaying" the one taken aside.
  explicit Spool(std::string path);

  // Appends and flushes the rows; false if the file cannot be written (the rows are then
  // lost, and the caller counts them as dropped).
  bool append(std::span<const LedgerRow> rows);
  // Whether there is anything to replay.
  bool pending() const;
  // Hands every spooled row to `write` (which answers how many rows it added), in batches of
  // up to `batch` rows, in the order they were spooled. Stops at the first batch `write`
  // fails (the rows stay spooled). Returns the failure, or the rows added.
  using Writer = std::function<Result<std::int64_t>(std::span<const LedgerRow>)>;
  Result<std::int64_t> replay(std::size_t batch, const Writer& write);

  const std::string& path() const { return path_; }

 private:
  std::string path_;
  std::string replaying_path_;
  mutable std::mutex mutex_;  // appends come from the writer and from request threads (queue full)
};

}  // namespace switchyard::ledger
