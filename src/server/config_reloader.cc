#include "server/config_reloader.h"

#include <openssl/evp.h>

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <ctime>
#include <fstream>
#include <sstream>

#include "config/file_watch.h"
#include "config/render.h"
#include "core/log.h"

namespace switchyard::server {
namespace net = boost::asio;

std::string_view trigger_name(ReloadTrigger trigger) {
  switch (trigger) {
    case ReloadTrigger::start: return "start";
    case ReloadTrigger::signal: return "signal";
    case ReloadTrigger::watch: return "watch";
    case ReloadTrigger::api: return "api";
  }
  return "start";
}

namespace {

std::string sha256_hex(std::string_view text) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  EVP_Digest(text.data(), text.size(), digest, &size, EVP_sha256(), nullptr);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned int i = 0; i < size; ++i) {
    out += kHex[digest[i] >> 4];
    out += kHex[digest[i] & 0xf];
  }
  return out;
}

std::string rfc3339_now() {
  auto now = std::chrono::system_clock::now();
  std::time_t seconds = std::chrono::system_clock::to_time_t(now);
  auto millis = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char text[40];
  std::size_t n = std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%S", &utc);
  std::snprintf(text + n, sizeof text - n, ".%03dZ", static_cast<int>(millis));
  return text;
}

std::optional<std::string> read_file(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  if (!file) return std::nullopt;
  std::stringstream text;
  text << file.rdbuf();
  return text.str();
}

// The server section is read once, when the listeners and threads are made.
std::vector<std::string> restart_required(const http::ServerOptions& running, const http::ServerOptions& next) {
  std::vector<std::string> changed;
  if (running.listen.host != next.listen.host || running.listen.port != next.listen.port) {
    changed.emplace_back("server.listen");
  }
  if (running.threads != next.threads) changed.emplace_back("server.threads");
  if (running.max_body_size != next.max_body_size) changed.emplace_back("server.max_body_size");
  if (running.max_header_size != next.max_header_size) changed.emplace_back("server.max_header_size");
  if (running.header_timeout != next.header_timeout) changed.emplace_back("server.header_timeout");
  if (running.idle_timeout != next.idle_timeout) changed.emplace_back("server.idle_timeout");
  if (running.shutdown_timeout != next.shutdown_timeout) changed.emplace_back("server.shutdown_timeout");
  return changed;
}

}  // namespace

std::shared_ptr<ConfigInfo> describe_config(const config::Snapshot& snapshot, std::string_view source_text,
                                            ReloadTrigger trigger) {
  auto info = std::make_shared<ConfigInfo>();
  info->hash = sha256_hex(source_text);
  info->loaded_at = rfc3339_now();
  info->source = snapshot.source;
  info->trigger = std::string(trigger_name(trigger));
  info->config_json = config::render_redacted(snapshot);
  return info;
}

boost::json::object config_info_object(const ConfigInfo& info) {
  return boost::json::object{{"hash", info.hash},
                             {"loaded_at", info.loaded_at},
                             {"source", info.source},
                             {"trigger", info.trigger},
                             {"config", boost::json::parse(info.config_json)}};
}

struct ConfigReloader::Watchers {
  explicit Watchers(net::io_context& io) : signals(io, SIGHUP), work(io.get_executor()) {}
  net::signal_set signals;
  std::optional<config::FileWatch> file;
  net::executor_work_guard<net::io_context::executor_type> work;
};

struct ConfigReloader::Compiled {
  std::shared_ptr<const Runtime> runtime;
  std::shared_ptr<ConfigInfo> info;
  log::Level log_level = log::Level::info;
  std::vector<std::string> errors;
  std::vector<std::string> restart_required;
  std::vector<policy::VirtualKey> keys;
};

ConfigReloader::ConfigReloader(Options options, const config::Snapshot& running, ActiveConfig& active,
                               std::shared_ptr<routing::LiveState> live)
    : options_(std::move(options)), running_server_(running.server), active_(active), live_(std::move(live)) {}

ConfigReloader::~ConfigReloader() { stop(); }

ConfigReloader::Compiled ConfigReloader::compile(const std::string& text) const {
  Compiled out;
  config::LoadResult loaded = config::load_config_text(text, options_.path, options_.env);
  if (!loaded.snapshot) {
    out.errors = std::move(loaded.errors);
    return out;
  }
  config::Snapshot& snapshot = *loaded.snapshot;
  if (options_.listen_override) snapshot.server.listen = *options_.listen_override;
  // What must hold of the address actually listened on, which a reload cannot change.
  config::Snapshot as_served = snapshot;
  as_served.server.listen = running_server_.listen;
  if (auto problem = config::exposure_problem(as_served)) {
    out.errors.push_back(options_.path + ":1: " + *problem);
    return out;
  }
  auto runtime = build_runtime(snapshot, live_);
  if (!runtime) {
    out.errors.push_back(options_.path + ":1: " + runtime.error().message);
    return out;
  }
  out.runtime = std::move(runtime.value());
  out.info = describe_config(snapshot, text, ReloadTrigger::start);
  out.log_level = snapshot.log_level;
  out.keys = std::move(snapshot.keys);
  out.restart_required = restart_required(running_server_, snapshot.server);
  return out;
}

ReloadResult ConfigReloader::load_initial() { return reload(ReloadTrigger::start); }

ReloadResult ConfigReloader::reload(ReloadTrigger trigger) {
  std::lock_guard lock(mutex_);
  ReloadResult result;
  std::optional<std::string> text = read_file(options_.path);
  if (trigger == ReloadTrigger::watch && (!text || sha256_hex(*text) == current_hash_)) {
    // An event in the directory, but this file is as it was (or is being replaced: the
    // event that completes the replacement follows).
    result.ok = true;
    return result;
  }
  if (!text) result.errors.push_back(options_.path + ": cannot open the configuration file");
  Compiled compiled;
  if (text) compiled = compile(*text);
  if (!compiled.runtime) {
    if (result.errors.empty()) result.errors = std::move(compiled.errors);
    if (trigger == ReloadTrigger::start) return result;
    active_.reloads_failed.fetch_add(1, std::memory_order_relaxed);
    log::error("configuration reload failed; the running configuration stays in force",
               {{"trigger", trigger_name(trigger)}, {"problems", static_cast<std::uint64_t>(result.errors.size())}});
    for (const std::string& problem : result.errors) log::error(problem);
    return result;
  }
  compiled.info->trigger = std::string(trigger_name(trigger));
  result.ok = true;
  result.changed = compiled.info->hash != current_hash_;
  result.restart_required = std::move(compiled.restart_required);
  current_hash_ = compiled.info->hash;
  log::set_min_level(compiled.log_level);
  active_.install(std::move(compiled.runtime), std::move(compiled.info));
  if (options_.install_keys) options_.install_keys(std::move(compiled.keys));
  if (trigger == ReloadTrigger::start) return result;
  active_.reloads_succeeded.fetch_add(1, std::memory_order_relaxed);
  std::string restart;
  for (const std::string& setting : result.restart_required) restart += (restart.empty() ? "" : ",") + setting;
  log::info("configuration reloaded", {{"trigger", trigger_name(trigger)}, {"hash", current_hash_.substr(0, 16)}});
  if (!restart.empty()) {
    log::warn("some changed settings apply only after a restart", {{"settings", restart}});
  }
  return result;
}

void ConfigReloader::start() {
  watchers_ = std::make_unique<Watchers>(io_);
  wait_for_signal();
  if (options_.watch_file) {
    watchers_->file.emplace(io_, options_.path, [this] { reload(ReloadTrigger::watch); });
    if (auto problem = watchers_->file->start()) {
      log::warn("the configuration file is not watched for changes", {{"reason", *problem}});
    }
  }
  thread_ = std::thread([this] { io_.run(); });
}

void ConfigReloader::wait_for_signal() {
  watchers_->signals.async_wait([this](const boost::system::error_code& ec, int) {
    if (ec) return;
    log::info("SIGHUP received, reloading the configuration");
    reload(ReloadTrigger::signal);
    wait_for_signal();
  });
}

void ConfigReloader::stop() {
  if (!thread_.joinable()) return;
  io_.stop();
  thread_.join();
  watchers_.reset();
}

net::awaitable<ReloadResult> ConfigReloader::reload_from_request() {
  // Not bound to the request's cancellation: a client that leaves must not reach into the
  // reloader's thread; the reload it asked for completes (and the answer finds nobody).
  co_return co_await net::co_spawn(
      io_, [this]() -> net::awaitable<ReloadResult> { co_return reload(ReloadTrigger::api); },
      net::bind_cancellation_slot(net::cancellation_slot(), net::use_awaitable));
}

}  // namespace switchyard::server
