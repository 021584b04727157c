#include "policy/key_sync.h"

#include "core/log.h"

namespace switchyard::policy {

namespace {
constexpr std::string_view kVersionKey = "sy:keys:version";
}

KeySync::KeySync(KeyDirectory& keys, store::RedisAddress address, std::chrono::milliseconds interval)
    : keys_(keys), address_(std::move(address)), interval_(interval) {
  thread_ = std::thread([this] { run(); });
}

KeySync::~KeySync() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

void KeySync::changed() {
  {
    std::lock_guard lock(mutex_);
    pending_bump_ = true;
  }
  wake_.notify_all();
}

void KeySync::run() {
  store::RedisConnection connection(address_, std::chrono::milliseconds(500));
  // Unknown at first: the first poll reloads, so a change made between this replica's start
  // and that poll is not missed.
  std::string seen;
  for (;;) {
    bool bump = false;
    {
      std::unique_lock lock(mutex_);
      wake_.wait_for(lock, interval_, [&] { return stopping_ || pending_bump_; });
      if (stopping_) return;
      bump = pending_bump_;
      pending_bump_ = false;
    }
    std::vector<std::vector<std::string>> commands;
    if (bump) commands.push_back({"INCR", std::string(kVersionKey)});
    commands.push_back({"GET", std::string(kVersionKey)});
    auto replies = connection.run(commands);
    if (!replies) {
      if (bump) {
        std::lock_guard lock(mutex_);
        pending_bump_ = true;  // tell the others once Redis is back
      }
      continue;
    }
    const store::RedisValue& version = replies.value().back();
    std::string current = version.type == store::RedisValue::Type::string ? version.text : "0";
    if (current == seen) continue;
    // Only our own change since the last poll: nothing new to read.
    bool only_ours = bump && replies.value().size() == 2 && !seen.empty() &&
                     replies.value()[0].integer == std::stoll(seen) + 1 && replies.value()[0].integer == std::stoll(current);
    seen = current;
    if (only_ours) continue;
    if (Status reloaded = keys_.load_now(); !reloaded) {
      log::warn("the keys could not be reloaded after a change on another replica",
                {{"error", reloaded.error().message}});
      seen.clear();  // try again on the next poll
    }
  }
}

}  // namespace switchyard::policy
