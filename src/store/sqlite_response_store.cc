#include "store/sqlite_response_store.h"

#include <sqlite3.h>

#include <boost/asio/post.hpp>
#include <chrono>
#include <string_view>

#include "core/log.h"
#include "core/on_thread.h"
#include "store/sqlite_database.h"

namespace switchyard::store {
namespace net = boost::asio;

namespace {

// Expired responses are deleted every this many writes (and at open).
constexpr std::int64_t kPurgeEvery = 256;

std::int64_t now_seconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

}  // namespace

Result<std::unique_ptr<SqliteResponseStore>> SqliteResponseStore::open(const std::string& path) {
  auto db = open_sqlite(path);
  if (!db) return db.take_error();
  std::unique_ptr<SqliteResponseStore> store(new SqliteResponseStore(db.value(), sqlite_schema_version(db.value())));
  store->purge_expired(now_seconds());
  return store;
}

SqliteResponseStore::~SqliteResponseStore() {
  thread_.join();  // queued writes land before the file closes
  sqlite3_close(db_);
}

void SqliteResponseStore::put(StoredResponse response) {
  net::post(thread_, [this, response = std::move(response)] { write(response); });
}

void SqliteResponseStore::write(const StoredResponse& response) {
  bool ok = exec(db_, "BEGIN IMMEDIATE");
  Statement row(db_,
                "INSERT OR REPLACE INTO responses (id, owner, body, conversation, created_at, expires_at)"
                " VALUES (?, ?, ?, ?, ?, ?)");
  ok = ok && row.bind(1, response.id).bind(2, response.owner).bind(3, response.body).bind(4, response.conversation)
                     .bind(5, response.created_at).bind(6, response.expires_at).step() == SQLITE_DONE;
  // Each item with an id, findable by an item_reference. The JSON function reads the array in SQL.
  Statement items(db_,
                  "INSERT OR REPLACE INTO response_items (item_id, response_id, owner, item)"
                  " SELECT json_extract(value, '$.id'), ?, ?, value FROM json_each(?)"
                  " WHERE json_type(value, '$.id') = 'text'");
  ok = ok && items.bind(1, response.id).bind(2, response.owner).bind(3, response.conversation).step() == SQLITE_DONE;
  if (ok && exec(db_, "COMMIT")) {
    if (++puts_since_purge_ >= kPurgeEvery) purge_expired(now_seconds());
    return;
  }
  std::string problem = sqlite3_errmsg(db_);
  exec(db_, "ROLLBACK");
  log::error("a response could not be stored", {{"response_id", response.id}, {"error", problem}});
}

void SqliteResponseStore::purge_expired(std::int64_t now) {
  puts_since_purge_ = 0;
  Statement purge(db_, "DELETE FROM responses WHERE expires_at <= ?");
  purge.bind(1, now).step();
  Statement upstream(db_, "DELETE FROM upstream_responses WHERE expires_at <= ?");
  upstream.bind(1, now).step();
}

net::awaitable<std::optional<StoredResponse>> SqliteResponseStore::get(std::string id, std::string owner) {
  return on_thread<std::optional<StoredResponse>>(thread_, [this, id = std::move(id), owner = std::move(owner)] {
    Statement query(db_,
                    "SELECT body, conversation, created_at, expires_at FROM responses"
                    " WHERE id = ? AND owner = ? AND expires_at > ?");
    query.bind(1, id).bind(2, owner).bind(3, now_seconds());
    std::optional<StoredResponse> found;
    if (query.step() == SQLITE_ROW) {
      found = StoredResponse{id, owner, query.text(0), query.text(1), query.integer(2), query.integer(3)};
    }
    return found;
  });
}

net::awaitable<std::optional<std::string>> SqliteResponseStore::find_item(std::string item_id, std::string owner) {
  return on_thread<std::optional<std::string>>(thread_, [this, item_id = std::move(item_id), owner = std::move(owner)] {
    Statement query(db_,
                    "SELECT i.item FROM response_items i JOIN responses r ON r.id = i.response_id"
                    " WHERE i.item_id = ? AND i.owner = ? AND r.expires_at > ? LIMIT 1");
    query.bind(1, item_id).bind(2, owner).bind(3, now_seconds());
    std::optional<std::string> found;
    if (query.step() == SQLITE_ROW) found = query.text(0);
    return found;
  });
}

net::awaitable<bool> SqliteResponseStore::remove(std::string id, std::string owner) {
  return on_thread<bool>(thread_, [this, id = std::move(id), owner = std::move(owner)] {
    Statement erase(db_, "DELETE FROM responses WHERE id = ? AND owner = ?");
    return erase.bind(1, id).bind(2, owner).step() == SQLITE_DONE && sqlite3_changes(db_) > 0;
  });
}

void SqliteResponseStore::note_upstream(std::string id, std::string owner, std::string provider, std::int64_t expires_at) {
  net::post(thread_, [this, id = std::move(id), owner = std::move(owner), provider = std::move(provider), expires_at] {
    Statement row(db_, "INSERT OR REPLACE INTO upstream_responses (id, owner, provider, expires_at) VALUES (?, ?, ?, ?)");
    if (row.bind(1, id).bind(2, owner).bind(3, provider).bind(4, expires_at).step() != SQLITE_DONE) {
      log::error("an upstream response could not be noted", {{"response_id", id}, {"error", sqlite3_errmsg(db_)}});
    }
    if (++puts_since_purge_ >= kPurgeEvery) purge_expired(now_seconds());
  });
}

net::awaitable<std::optional<std::string>> SqliteResponseStore::upstream_of(std::string id, std::string owner) {
  return on_thread<std::optional<std::string>>(thread_, [this, id = std::move(id), owner = std::move(owner)] {
    Statement query(db_, "SELECT provider FROM upstream_responses WHERE id = ? AND owner = ? AND expires_at > ?");
    query.bind(1, id).bind(2, owner).bind(3, now_seconds());
    std::optional<std::string> found;
    if (query.step() == SQLITE_ROW) found = query.text(0);
    return found;
  });
}

}  // namespace switchyard::store
