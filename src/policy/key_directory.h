// Every virtual key and team, held in memory: authentication is a SHA-256 of the presented
// secret and a probe of an immutable table, never a database read. A change (through the
// admin API) is written to the key store first and then published as a new table, swapped
// in atomically; requests in flight keep the table they started with. Keys declared in the
// configuration file join the table at start and at every reload, read-only.
#pragma once

#include <atomic>
#include <functional>
#include <boost/asio/awaitable.hpp>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/result.h"
#include "policy/virtual_key.h"
#include "store/key_store.h"

namespace switchyard::policy {

// One key as the table holds it: its record, and when it was last used (kept across the
// record's replacements, in this process).
struct KeyEntry {
  VirtualKey key;
  std::shared_ptr<std::atomic<std::int64_t>> last_used_at;  // seconds; 0: never
};

struct KeyTable {
  std::unordered_map<std::string, std::shared_ptr<const KeyEntry>> by_secret_hash;
  std::map<std::string, std::shared_ptr<const KeyEntry>> keys;  // by id
  std::map<std::string, std::shared_ptr<const Team>> teams;      // by id
};

// A key the presented secret matched, valid now.
struct KeyMatch {
  std::shared_ptr<const KeyEntry> entry;
  std::shared_ptr<const Team> team;  // null: the key has no team
};

class KeyDirectory {
 public:
  // `store` null: keys live in memory only (tests; a gateway without a data directory).
  explicit KeyDirectory(std::shared_ptr<store::KeyStore> store);

  // Sets the store once it is open (before load_now and before serving).
  void use_store(std::shared_ptr<store::KeyStore> store) { store_ = std::move(store); }

  // Reads every stored record (at start, before serving). Unreadable ones are logged and skipped.
  Status load_now();
  // Reads them again (another replica changed one) and publishes the result.
  boost::asio::awaitable<Status> reload();

  // The configuration file's keys: replaces the previous file's.
  void set_config_keys(std::vector<VirtualKey> keys);

  // The key `secret` belongs to, if it is valid at `now` (not revoked, expired, or past
  // its rotation grace; its team not revoked). The hot path: no lock, no I/O.
  std::optional<KeyMatch> find(std::string_view secret, std::int64_t now) const;

  std::shared_ptr<const KeyTable> table() const { return table_.load(std::memory_order_acquire); }

  // Called after each change saved here (to tell the other replicas).
  void on_change(std::function<void()> listener) { on_change_ = std::move(listener); }

  // Writes the record to the store, then publishes it. Serialized: one change at a time.
  // By reference (kept by the caller until done): g++ 12 may destroy a coroutine's by-value
  // class parameter twice.
  boost::asio::awaitable<Status> save_key(const VirtualKey& key);
  boost::asio::awaitable<Status> save_team(const Team& team);

 private:
  // Stores a record (its document, as the store keeps it) and publishes it, read back.
  boost::asio::awaitable<Status> save(const store::AccessRecord& record);
  void publish();  // with mutex_ held

  std::shared_ptr<store::KeyStore> store_;
  std::function<void()> on_change_;
  std::mutex mutex_;  // guards the records below and publishing
  std::map<std::string, VirtualKey> stored_keys_;
  std::map<std::string, Team> teams_;
  std::vector<VirtualKey> config_keys_;
  std::unordered_map<std::string, std::shared_ptr<std::atomic<std::int64_t>>> last_used_;
  std::atomic<std::shared_ptr<const KeyTable>> table_;
};

}  // namespace switchyard::policy
