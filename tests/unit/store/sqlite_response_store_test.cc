// The embedded response store against a real SQLite file: its schema is migrated once and
// kept, answers are found by id and their items by item id for their owner only, deletion
// and expiry forget them, and a write queued before a read is seen by it.
#include "store/sqlite_response_store.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <unistd.h>

namespace switchyard::store {
namespace {
namespace net = boost::asio;

class SqliteResponseStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("sy-store-" + std::to_string(::getpid()) + "-" +
                                                      ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::string path() const { return (dir_ / "switchyard.db").string(); }

  // Runs one awaitable to completion on a private event loop.
  template <class T>
  T await(net::awaitable<T> operation) {
    net::io_context context;
    auto future = net::co_spawn(context, std::move(operation), net::use_future);
    context.run();
    return future.get();
  }

  static std::int64_t now() {
    return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
  }

  static StoredResponse answer(std::string id, std::string owner, std::int64_t expires_at = now() + 3600) {
    return StoredResponse{std::move(id), std::move(owner), R"({"id":"resp_1","output":[]})",
                          R"([{"type":"message","id":"msg_in","role":"user","content":"hi"},)"
                          R"({"type":"function_call","id":"fc_1","call_id":"call_1","name":"f","arguments":"{}"}])",
                          now(), expires_at};
  }

  std::filesystem::path dir_;
};

TEST_F(SqliteResponseStoreTest, MigratesANewFileOnceAndKeepsItsVersion) {
  {
    auto store = SqliteResponseStore::open(path());
    ASSERT_TRUE(store) << store.error().message;
    EXPECT_EQ(store.value()->schema_version(), 4);
  }
  auto again = SqliteResponseStore::open(path());
  ASSERT_TRUE(again);
  EXPECT_EQ(again.value()->schema_version(), 4);
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path().c_str(), &db), SQLITE_OK);
  sqlite3_stmt* count = nullptr;
  sqlite3_prepare_v2(db, "SELECT COUNT(*) FROM schema_migrations", -1, &count, nullptr);
  ASSERT_EQ(sqlite3_step(count), SQLITE_ROW);
  EXPECT_EQ(sqlite3_column_int(count, 0), 4);  // each applied once, not on every open
  sqlite3_finalize(count);
  sqlite3_close(db);
}

TEST_F(SqliteResponseStoreTest, AFileAtAnEarlierVersionGetsOnlyTheMigrationsItLacks) {
  {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(path().c_str(), &db), SQLITE_OK);
    // Version 1 as it was released, with a response kept in it.
    ASSERT_EQ(sqlite3_exec(db,
                           "CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL);"
                           "INSERT INTO schema_migrations VALUES (1, 'stored responses', 0);"
                           "CREATE TABLE responses (id TEXT PRIMARY KEY, owner TEXT NOT NULL, body TEXT NOT NULL,"
                           " conversation TEXT NOT NULL, created_at INTEGER NOT NULL, expires_at INTEGER NOT NULL);"
                           "CREATE TABLE response_items (item_id TEXT NOT NULL, response_id TEXT NOT NULL, owner TEXT NOT NULL,"
                           " item TEXT NOT NULL, PRIMARY KEY (item_id, response_id));"
                           "INSERT INTO responses VALUES ('resp_old', 'master', '{}', '[]', 0, 99999999999);",
                           nullptr, nullptr, nullptr),
              SQLITE_OK);
    sqlite3_close(db);
  }
  auto store = SqliteResponseStore::open(path());
  ASSERT_TRUE(store) << store.error().message;
  EXPECT_EQ(store.value()->schema_version(), 4);
  EXPECT_TRUE(await(store.value()->get("resp_old", "master")));  // what it held is still there
  store.value()->note_upstream("resp_up", "master", "oai", now() + 60);
  EXPECT_EQ(await(store.value()->upstream_of("resp_up", "master")), std::optional<std::string>("oai"));
}

TEST_F(SqliteResponseStoreTest, RemembersWhichProviderKeepsAnUpstreamsResponseForItsOwner) {
  auto store = SqliteResponseStore::open(path());
  ASSERT_TRUE(store);
  store.value()->note_upstream("resp_a", "key:a", "account-2", now() + 60);
  store.value()->note_upstream("resp_old", "key:a", "account-1", now() - 1);
  EXPECT_EQ(await(store.value()->upstream_of("resp_a", "key:a")), std::optional<std::string>("account-2"));
  EXPECT_FALSE(await(store.value()->upstream_of("resp_a", "key:b")));
  EXPECT_FALSE(await(store.value()->upstream_of("resp_old", "key:a")));
}

TEST_F(SqliteResponseStoreTest, AReadSeesTheWriteQueuedBeforeIt) {
  auto store = SqliteResponseStore::open(path());
  ASSERT_TRUE(store);
  store.value()->put(answer("resp_1", "master"));
  auto found = await(store.value()->get("resp_1", "master"));
  ASSERT_TRUE(found);
  EXPECT_EQ(found->body, R"({"id":"resp_1","output":[]})");
  EXPECT_NE(found->conversation.find("fc_1"), std::string::npos);
}

TEST_F(SqliteResponseStoreTest, FindsItemsByTheirOwnIdForTheirOwnerOnly) {
  auto store = SqliteResponseStore::open(path());
  ASSERT_TRUE(store);
  store.value()->put(answer("resp_1", "key:a"));
  auto item = await(store.value()->find_item("fc_1", "key:a"));
  ASSERT_TRUE(item);
  EXPECT_NE(item->find("\"call_id\":\"call_1\""), std::string::npos);
  EXPECT_FALSE(await(store.value()->find_item("fc_1", "key:b")));
  EXPECT_FALSE(await(store.value()->get("resp_1", "key:b")));
  EXPECT_FALSE(await(store.value()->find_item("fc_nope", "key:a")));
}

TEST_F(SqliteResponseStoreTest, DeletionAndExpiryForgetAResponseAndItsItems) {
  auto store = SqliteResponseStore::open(path());
  ASSERT_TRUE(store);
  store.value()->put(answer("resp_1", "master"));
  store.value()->put(answer("resp_old", "master", now() - 1));
  EXPECT_FALSE(await(store.value()->remove("resp_1", "key:other")));
  EXPECT_TRUE(await(store.value()->remove("resp_1", "master")));
  EXPECT_FALSE(await(store.value()->get("resp_1", "master")));
  EXPECT_FALSE(await(store.value()->remove("resp_1", "master")));
  EXPECT_FALSE(await(store.value()->get("resp_old", "master")));  // expired: not served, purged at the next open
  EXPECT_FALSE(await(store.value()->find_item("fc_1", "master")));
}

TEST_F(SqliteResponseStoreTest, WritesQueuedAtShutdownLand) {
  {
    auto store = SqliteResponseStore::open(path());
    ASSERT_TRUE(store);
    for (int i = 0; i < 100; ++i) store.value()->put(answer("resp_" + std::to_string(i), "master"));
  }
  auto reopened = SqliteResponseStore::open(path());
  ASSERT_TRUE(reopened);
  EXPECT_TRUE(await(reopened.value()->get("resp_99", "master")));
}

TEST_F(SqliteResponseStoreTest, AFileThatIsNotADatabaseIsRefusedWithItsPath) {
  { std::ofstream(path()) << "not a database, just text that is long enough to be read as a header"; }
  auto store = SqliteResponseStore::open(path());
  ASSERT_FALSE(store);
  EXPECT_NE(store.error().message.find(path()), std::string::npos) << store.error().message;
}

}  // namespace
}  // namespace switchyard::store
