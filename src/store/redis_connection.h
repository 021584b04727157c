// One connection to Redis (hiredis's blocking API, with timeouts), used by one thread that
// is not an event loop: the thread of whatever keeps its state in Redis (the limiter). A
// batch of commands goes out in one write and its replies are read back in order
// (pipelining), so many requests share one round trip. A failed batch drops the connection;
// the next batch reconnects.
//
// URL: redis://[:password@]host:port[/db]. hiredis here (0.14) has no TLS.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"

struct redisContext;
struct redisReply;

namespace switchyard::store {

struct RedisAddress {
  std::string host;
  int port = 6379;
  std::string password;
  int database = 0;
};

// Reads a redis:// URL; nullopt with the reason in `problem`.
std::optional<RedisAddress> parse_redis_url(std::string_view url, std::string& problem);

// A reply as plain data: hiredis's tree, copied.
struct RedisValue {
  enum class Type { nil, integer, string, status, error, array } type = Type::nil;
  std::int64_t integer = 0;
  std::string text;  // string, status and error replies
  std::vector<RedisValue> elements;
};

class RedisConnection {
 public:
  RedisConnection(RedisAddress address, std::chrono::milliseconds timeout);
  ~RedisConnection();
  RedisConnection(const RedisConnection&) = delete;
  RedisConnection& operator=(const RedisConnection&) = delete;

  // Sends every command (each an argument vector) and returns their replies in order; an
  // error when the connection failed (nothing is known of the batch then).
  Result<std::vector<RedisValue>> run(const std::vector<std::vector<std::string>>& commands);
  bool connected() const { return context_ != nullptr; }

 private:
  Status connect();
  void drop();

  RedisAddress address_;
  std::chrono::milliseconds timeout_;
  redisContext* context_ = nullptr;
};

}  // namespace switchyard::store
