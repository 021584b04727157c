#include "store/redis_connection.h"

#include <hiredis/hiredis.h>

#include <charconv>

namespace switchyard::store {

namespace {

GatewayError redis_error(std::string message) {
  return make_error(ErrorKind::unavailable, "redis: " + std::move(message), "redis_unavailable");
}

timeval to_timeval(std::chrono::milliseconds timeout) {
  return timeval{static_cast<time_t>(timeout.count() / 1000), static_cast<suseconds_t>(timeout.count() % 1000 * 1000)};
}

RedisValue copy_reply(const redisReply* reply) {
  RedisValue value;
  switch (reply->type) {
    case REDIS_REPLY_INTEGER:
      value.type = RedisValue::Type::integer;
      value.integer = reply->integer;
      break;
    case REDIS_REPLY_STRING:
      value.type = RedisValue::Type::string;
      value.text.assign(reply->str, reply->len);
      break;
    case REDIS_REPLY_STATUS:
      value.type = RedisValue::Type::status;
      value.text.assign(reply->str, reply->len);
      break;
    case REDIS_REPLY_ERROR:
      value.type = RedisValue::Type::error;
      value.text.assign(reply->str, reply->len);
      break;
    case REDIS_REPLY_ARRAY:
      value.type = RedisValue::Type::array;
      for (std::size_t i = 0; i < reply->elements; ++i) value.elements.push_back(copy_reply(reply->element[i]));
      break;
    default: break;
  }
  return value;
}

}  // namespace

std::optional<RedisAddress> parse_redis_url(std::string_view url, std::string& problem) {
  constexpr std::string_view kScheme = "redis://";
  if (!url.starts_with(kScheme)) {
    problem = "must be a redis:// URL (redis://[:password@]host:port[/db]; rediss:// is not supported)";
    return std::nullopt;
  }
  std::string_view rest = url.substr(kScheme.size());
  RedisAddress address;
  if (auto at = rest.rfind('@'); at != std::string_view::npos) {
    std::string_view credentials = rest.substr(0, at);
    if (auto colon = credentials.find(':'); colon != std::string_view::npos) credentials = credentials.substr(colon + 1);
    address.password = std::string(credentials);
    rest = rest.substr(at + 1);
  }
  std::string_view host_port = rest.substr(0, rest.find('/'));
  if (auto slash = rest.find('/'); slash != std::string_view::npos && slash + 1 < rest.size()) {
    std::string_view db = rest.substr(slash + 1);
    auto [end, ec] = std::from_chars(db.data(), db.data() + db.size(), address.database);
    if (ec != std::errc{} || end != db.data() + db.size() || address.database < 0) {
      problem = "the database after '/' must be a number";
      return std::nullopt;
    }
  }
  auto colon = host_port.rfind(':');
  address.host = std::string(host_port.substr(0, colon));
  if (colon != std::string_view::npos) {
    std::string_view port = host_port.substr(colon + 1);
    auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), address.port);
    if (ec != std::errc{} || end != port.data() + port.size() || address.port <= 0 || address.port > 65535) {
      problem = "the port must be a number from 1 to 65535";
      return std::nullopt;
    }
  }
  if (address.host.empty()) {
    problem = "names no host";
    return std::nullopt;
  }
  return address;
}

RedisConnection::RedisConnection(RedisAddress address, std::chrono::milliseconds timeout)
    : address_(std::move(address)), timeout_(timeout) {}

RedisConnection::~RedisConnection() { drop(); }

void RedisConnection::drop() {
  if (context_) redisFree(context_);
  context_ = nullptr;
}

Status RedisConnection::connect() {
  redisContext* context = redisConnectWithTimeout(address_.host.c_str(), address_.port, to_timeval(timeout_));
  if (!context || context->err) {
    std::string reason = context ? context->errstr : "out of memory";
    if (context) redisFree(context);
    return redis_error("cannot connect to " + address_.host + ":" + std::to_string(address_.port) + ": " + reason);
  }
  redisSetTimeout(context, to_timeval(timeout_));
  context_ = context;
  std::vector<std::vector<std::string>> setup;
  if (!address_.password.empty()) setup.push_back({"AUTH", address_.password});
  if (address_.database != 0) setup.push_back({"SELECT", std::to_string(address_.database)});
  if (setup.empty()) return Done{};
  auto replies = run(setup);
  if (!replies) return replies.take_error();
  for (const RedisValue& reply : replies.value()) {
    if (reply.type == RedisValue::Type::error) {
      drop();
      // Never the password itself: only what the server said.
      return redis_error("the server refused the connection's setup: " + reply.text);
    }
  }
  return Done{};
}

Result<std::vector<RedisValue>> RedisConnection::run(const std::vector<std::vector<std::string>>& commands) {
  if (!context_) {
    if (Status connected = connect(); !connected) return connected.take_error();
  }
  std::vector<const char*> argv;
  std::vector<std::size_t> lengths;
  for (const auto& command : commands) {
    argv.clear();
    lengths.clear();
    for (const std::string& arg : command) {
      argv.push_back(arg.data());
      lengths.push_back(arg.size());
    }
    if (redisAppendCommandArgv(context_, static_cast<int>(argv.size()), argv.data(), lengths.data()) != REDIS_OK) {
      std::string reason = context_->errstr;
      drop();
      return redis_error(reason);
    }
  }
  std::vector<RedisValue> replies;
  replies.reserve(commands.size());
  for (std::size_t i = 0; i < commands.size(); ++i) {
    void* raw = nullptr;
    if (redisGetReply(context_, &raw) != REDIS_OK || !raw) {
      std::string reason = context_->errstr[0] ? context_->errstr : "no reply";
      drop();
      return redis_error(reason);
    }
    replies.push_back(copy_reply(static_cast<redisReply*>(raw)));
    freeReplyObject(raw);
  }
  return replies;
}

}  // namespace switchyard::store
