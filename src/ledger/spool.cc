#include "ledger/spool.h"

#include <cstdio>
#include <filesystem>
#include <fstream>

namespace switchyard::ledger {

Spool::Spool(std::string path) : path_(std::move(path)), replaying_path_(path_ + ".replaying") {}

bool Spool::append(std::span<const LedgerRow> rows) {
  std::string text;
  for (const LedgerRow& row : rows) {
    text += row_json(row);
    text += '\n';
  }
  std::lock_guard lock(mutex_);
  std::FILE* file = std::fopen(path_.c_str(), "ab");
  if (!file) return false;
  bool written = std::fwrite(text.data(), 1, text.size(), file) == text.size();
  written = std::fflush(file) == 0 && written;
  written = std::fclose(file) == 0 && written;
  return written;
}

bool Spool::pending() const {
  std::lock_guard lock(mutex_);
  auto has_rows = [](const std::string& path) {
    std::error_code ec;
    std::uintmax_t size = std::filesystem::file_size(path, ec);
    return !ec && size > 0;  // on an error (no file) file_size answers -1
  };
  return has_rows(replaying_path_) || has_rows(path_);
}

Result<std::int64_t> Spool::replay(std::size_t batch, const Writer& write) {
  std::int64_t replayed = 0;
  for (int round = 0; round < 2; ++round) {
    {
      // A file taken aside earlier is replayed first; else the current one is taken aside.
      std::lock_guard lock(mutex_);
      std::error_code ec;
      if (!std::filesystem::exists(replaying_path_, ec)) {
        if (!std::filesystem::exists(path_, ec)) return replayed;
        std::filesystem::rename(path_, replaying_path_, ec);
        if (ec) return make_error(ErrorKind::internal, "cannot take the spool aside: " + ec.message(), "spool");
      }
    }
    std::ifstream file(replaying_path_, std::ios::binary);
    std::vector<LedgerRow> rows;
    std::string line;
    auto flush = [&]() -> Status {
      if (rows.empty()) return Done{};
      Result<std::int64_t> added = write(rows);
      if (!added) return added.take_error();
      replayed += added.value();
      rows.clear();
      return Done{};
    };
    while (std::getline(file, line)) {
      // A line cut short (the process died mid-append) or damaged is skipped: it cannot be
      // a row that was also written, since spooled rows never were.
      if (auto row = parse_row_json(line)) rows.push_back(std::move(*row));
      if (rows.size() >= batch) {
        if (Status status = flush(); !status) return status.take_error();
      }
    }
    if (Status status = flush(); !status) return status.take_error();
    std::error_code ec;
    std::filesystem::remove(replaying_path_, ec);
  }
  return replayed;
}

}  // namespace switchyard::ledger
