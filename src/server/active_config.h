// The configuration in force: the Runtime each request starts on, and what /admin/config
// says about it. Replaced whole and atomically by a reload; a request keeps the Runtime it
// started with until it ends.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>

#include "server/runtime.h"

namespace switchyard::server {

struct ConfigInfo {
  std::string hash;         // SHA-256 of the configuration's source text, hex
  std::string loaded_at;    // RFC 3339, UTC
  std::string source;       // the file, or "embedded default"
  std::string trigger;      // start, signal, watch or api
  std::string config_json;  // the compiled configuration, every secret redacted
};

class ActiveConfig {
 public:
  std::shared_ptr<const Runtime> runtime() const { return runtime_.load(std::memory_order_acquire); }
  std::shared_ptr<const ConfigInfo> info() const { return info_.load(std::memory_order_acquire); }

  void install(std::shared_ptr<const Runtime> runtime, std::shared_ptr<const ConfigInfo> info) {
    info_.store(std::move(info), std::memory_order_release);
    runtime_.store(std::move(runtime), std::memory_order_release);
  }

  // Reloads since start, for /metrics.
  std::atomic<std::uint64_t> reloads_succeeded{0};
  std::atomic<std::uint64_t> reloads_failed{0};

 private:
  std::atomic<std::shared_ptr<const Runtime>> runtime_;
  std::atomic<std::shared_ptr<const ConfigInfo>> info_;
};

}  // namespace switchyard::server
