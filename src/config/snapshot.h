// A compiled, validated configuration. Immutable once built: requests read it without
// locks, and a reload (later) swaps in a whole new snapshot.
#pragma once

#include <string>
#include <vector>

#include "core/log.h"
#include "core/units.h"
#include "http/server.h"
#include "http/upstream.h"
#include "policy/virtual_key.h"
#include "providers/provider.h"
#include "routing/router.h"

namespace switchyard::config {

// Where the gateway keeps what it must remember (the embedded SQLite database), and for how
// long. Read once at start: a reload does not move the database.
struct Storage {
  std::string dir;  // empty: $SWITCHYARD_DATA_DIR, else the config file's directory, else the working directory
  Millis response_retention{std::chrono::hours(24 * 30)};  // stored Responses API answers; 0: none kept
  bool ledger = true;  // every request's row in the usage ledger (read at start)
  // Where the ledger goes instead of the embedded SQLite file: postgres://user:password@host:port/db.
  // A secret (it may carry a password): shown redacted.
  std::string database;
  // Where replicas share rate limits, parallel slots and budgets: redis://[:password@]host:port[/db].
  // A secret (it may carry a password): shown redacted. Empty: limits are this process's own.
  std::string redis;
};

struct Telemetry {
  // OpenTelemetry traces over OTLP/HTTP (JSON): one span per request, one per upstream attempt.
  struct Otlp {
    std::string endpoint;      // http://host:4318; spans go to {endpoint}/v1/traces
    http::HeaderList headers;  // sent with every export (may carry a token: shown redacted)
    double sample_ratio = 1.0;  // of requests that come without a sampled traceparent
  };
  std::optional<Otlp> otlp;  // none: off (a client's traceparent is still passed upstream)
  bool metrics = true;       // the request metrics on /metrics (false: only the gauges and counters of state)
};

// How limits are reserved (read at start).
struct LimitsSettings {
  // The output reserved for a request that states no max_tokens: its token estimate and
  // the worst case of its cost (a budget is never overrun by more than this allows).
  std::int64_t default_max_tokens = 4096;
  // With Redis unreachable: refuse keys that carry limits (503, the default) or admit them
  // under this process's own limits (counted in switchyard_limits_fail_open_total).
  bool fail_open = false;
  // How long a parallel slot (or reserved budget) of a replica that stopped renewing it
  // (crashed, cut off) outlives it in Redis.
  Millis lease_ttl{std::chrono::seconds(30)};
};

struct Snapshot {
  std::string source;  // the file it came from, or "embedded default"
  http::ServerOptions server;
  std::string master_key;  // empty: no client authentication
  log::Level log_level = log::Level::info;
  http::UpstreamTimeouts timeouts;  // defaults for every provider
  std::vector<providers::ProviderSpec> providers;
  std::vector<routing::ModelAlias> models;
  Storage storage;
  Telemetry telemetry;  // read at start
  std::vector<policy::VirtualKey> keys;  // declared in the file: read-only in the admin API
  LimitsSettings limits;                 // read at start
};

}  // namespace switchyard::config
