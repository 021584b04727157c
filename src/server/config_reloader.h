// Hot reload: a new configuration, compiled with the same validation as --check-config,
// replaces the running one without failing a request. Triggered by SIGHUP, by a change to
// the file (config/file_watch.h) and by POST /admin/reload.
//
// - Valid: swapped atomically (ActiveConfig); requests and streams in flight finish on the
//   snapshot they started with; deployments present in both keep their live state.
// - Invalid: the running configuration keeps serving; every problem is logged as
//   FILE:LINE: message and returned to the caller; a failure counter goes up.
// - Settings that cannot change while running (the server section: listen address,
//   threads, sizes, timeouts) are reported as needing a restart.
//
// Reloads run one at a time on the reloader's own thread, which also waits for the signal
// and the file events: compiling a file never blocks a request thread.
#pragma once

#include <functional>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/json/object.hpp>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "config/loader.h"
#include "policy/virtual_key.h"
#include "routing/live_state.h"
#include "server/active_config.h"

namespace switchyard::server {

enum class ReloadTrigger { start, signal, watch, api };
std::string_view trigger_name(ReloadTrigger trigger);

struct ReloadResult {
  bool ok = false;
  bool changed = false;  // false: the file was as loaded already (a file event without a change)
  std::vector<std::string> errors;            // each "FILE:LINE: message"
  std::vector<std::string> restart_required;  // settings that changed but apply only after a restart
};

class ConfigReloader {
 public:
  struct Options {
    std::string path;                      // the configuration file
    config::EnvLookup env;
    std::optional<http::ListenAddress> listen_override;  // --listen, applied to every version
    bool watch_file = true;
    // Hands each installed configuration's `keys:` on (to the key directory); may be empty.
    std::function<void(std::vector<policy::VirtualKey>)> install_keys;
  };

  // `running` is the snapshot the process started with: its server section is the one in
  // force for good.
  ConfigReloader(Options options, const config::Snapshot& running, ActiveConfig& active,
                 std::shared_ptr<routing::LiveState> live);
  ~ConfigReloader();
  ConfigReloader(const ConfigReloader&) = delete;
  ConfigReloader& operator=(const ConfigReloader&) = delete;

  // Compiles and installs the startup configuration (trigger "start"); the errors if invalid.
  ReloadResult load_initial();

  // Starts the reloader's thread: SIGHUP and (if asked) the file watch.
  void start();
  // Stops the thread. A request waiting on a reload queued there is destroyed with the
  // reloader: destroy it while the gateway (and its sinks) still exist.
  void stop();

  // Reloads now, on the calling thread (serialized with every other reload).
  ReloadResult reload(ReloadTrigger trigger);
  // For the admin API: reloads on the reloader's thread, resuming the caller on its own.
  boost::asio::awaitable<ReloadResult> reload_from_request();

 private:
  struct Compiled;
  Compiled compile(const std::string& text) const;
  void wait_for_signal();

  Options options_;
  http::ServerOptions running_server_;
  ActiveConfig& active_;
  std::shared_ptr<routing::LiveState> live_;
  std::mutex mutex_;          // one reload at a time
  std::string current_hash_;  // of the text in force

  boost::asio::io_context io_{1};
  struct Watchers;
  std::unique_ptr<Watchers> watchers_;
  std::thread thread_;
};

// The description of a configuration loaded by `trigger` from `source_text` (the hash is
// of that text).
std::shared_ptr<ConfigInfo> describe_config(const config::Snapshot& snapshot, std::string_view source_text,
                                            ReloadTrigger trigger);

// The active configuration's description (GET /admin/config; and the answer to a reload).
boost::json::object config_info_object(const ConfigInfo& info);

}  // namespace switchyard::server
