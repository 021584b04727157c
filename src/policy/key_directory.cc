#include "policy/key_directory.h"

#include "core/log.h"
#include "policy/key_records.h"
#include "policy/key_secret.h"

namespace switchyard::policy {

namespace {

// A snapshot of the records read from the store, sorted into keys and teams.
struct Loaded {
  std::map<std::string, VirtualKey> keys;
  std::map<std::string, Team> teams;
};

Loaded sort_records(const std::vector<store::AccessRecord>& records) {
  Loaded loaded;
  for (const store::AccessRecord& record : records) {
    if (record.kind == "key") {
      if (auto key = key_from_document(record.document)) {
        loaded.keys.emplace(key->id, std::move(*key));
        continue;
      }
    } else if (record.kind == "team") {
      if (auto team = team_from_document(record.document)) {
        loaded.teams.emplace(team->id, std::move(*team));
        continue;
      }
    }
    log::warn("an unreadable access record was skipped", {{"kind", record.kind}, {"id", record.id}});
  }
  return loaded;
}

}  // namespace

KeyDirectory::KeyDirectory(std::shared_ptr<store::KeyStore> store) : store_(std::move(store)) {
  table_.store(std::make_shared<const KeyTable>());
}

Status KeyDirectory::load_now() {
  if (!store_) return Done{};
  auto records = store_->load_now();
  if (!records) return records.take_error();
  Loaded loaded = sort_records(records.value());
  std::lock_guard lock(mutex_);
  stored_keys_ = std::move(loaded.keys);
  teams_ = std::move(loaded.teams);
  publish();
  return Done{};
}

boost::asio::awaitable<Status> KeyDirectory::reload() {
  if (!store_) co_return Done{};
  auto records = co_await store_->load();
  if (!records) co_return records.take_error();
  Loaded loaded = sort_records(records.value());
  std::lock_guard lock(mutex_);
  stored_keys_ = std::move(loaded.keys);
  teams_ = std::move(loaded.teams);
  publish();
  co_return Done{};
}

void KeyDirectory::set_config_keys(std::vector<VirtualKey> keys) {
  std::lock_guard lock(mutex_);
  config_keys_ = std::move(keys);
  publish();
}

std::optional<KeyMatch> KeyDirectory::find(std::string_view secret, std::int64_t now) const {
  if (!secret.starts_with(kSecretPrefix) && secret.size() < 20) return std::nullopt;  // not a key of ours
  std::shared_ptr<const KeyTable> current = table();
  if (current->by_secret_hash.empty()) return std::nullopt;
  std::string hash = secret_hash(secret);
  auto found = current->by_secret_hash.find(hash);
  if (found == current->by_secret_hash.end()) return std::nullopt;
  const VirtualKey& key = found->second->key;
  if (key.revoked || (key.expires_at && *key.expires_at <= now)) return std::nullopt;
  for (const SecretHash& candidate : key.secrets) {
    if (candidate.sha256 == hash && candidate.valid_until && *candidate.valid_until <= now) return std::nullopt;
  }
  KeyMatch match{found->second, nullptr};
  if (!key.team_id.empty()) {
    auto team = current->teams.find(key.team_id);
    // A key whose team is gone or revoked no longer works: the team's limits cannot be kept.
    if (team == current->teams.end() || team->second->revoked) return std::nullopt;
    match.team = team->second;
  }
  // At most one write a second per key: last_used_at is for people, not accounting.
  auto& last_used = *match.entry->last_used_at;
  if (last_used.load(std::memory_order_relaxed) != now) last_used.store(now, std::memory_order_relaxed);
  return match;
}

boost::asio::awaitable<Status> KeyDirectory::save(const store::AccessRecord& record) {
  if (store_) {
    Status saved = co_await store_->put(record);
    if (!saved) co_return saved;
  }
  {
    std::lock_guard lock(mutex_);
    if (record.kind == "key") {
      stored_keys_[record.id] = *key_from_document(record.document);
    } else {
      teams_[record.id] = *team_from_document(record.document);
    }
    publish();
  }
  if (on_change_) on_change_();
  co_return Done{};
}

boost::asio::awaitable<Status> KeyDirectory::save_key(const VirtualKey& key) {
  const store::AccessRecord record{"key", key.id, key_document(key)};
  Status saved = co_await save(record);
  co_return saved;
}

boost::asio::awaitable<Status> KeyDirectory::save_team(const Team& team) {
  const store::AccessRecord record{"team", team.id, team_document(team)};
  Status saved = co_await save(record);
  co_return saved;
}

void KeyDirectory::publish() {
  auto table = std::make_shared<KeyTable>();
  auto add = [&](const VirtualKey& key) {
    auto& last_used = last_used_[key.id];
    if (!last_used) last_used = std::make_shared<std::atomic<std::int64_t>>(0);
    auto entry = std::make_shared<const KeyEntry>(KeyEntry{key, last_used});
    table->keys[key.id] = entry;
    for (const SecretHash& secret : key.secrets) table->by_secret_hash[secret.sha256] = entry;
  };
  for (const auto& [id, key] : stored_keys_) add(key);
  for (const VirtualKey& key : config_keys_) add(key);  // the file's word wins over the store's
  for (const auto& [id, team] : teams_) table->teams[id] = std::make_shared<const Team>(team);
  table_.store(std::move(table), std::memory_order_release);
}

}  // namespace switchyard::policy
