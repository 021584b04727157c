// Keeps every replica's keys current: a change made through one replica's admin API bumps a
// version number in Redis, and every replica polls it (every 200 ms) and reloads its keys
// from the shared store when it moved. A revocation thus takes effect everywhere within about
// half a second. A thread of its own with its own Redis connection; a reload reads the
// database on this thread, never on an event loop's.
#pragma once

#include <condition_variable>
#include <mutex>
#include <thread>

#include "policy/key_directory.h"
#include "store/redis_connection.h"

namespace switchyard::policy {

class KeySync {
 public:
  KeySync(KeyDirectory& keys, store::RedisAddress address,
          std::chrono::milliseconds interval = std::chrono::milliseconds(200));
  ~KeySync();

  // A record changed here: tell the other replicas.
  void changed();

 private:
  void run();

  KeyDirectory& keys_;
  store::RedisAddress address_;
  std::chrono::milliseconds interval_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool pending_bump_ = false;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace switchyard::policy
