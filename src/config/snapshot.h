// A compiled, validated configuration. Immutable once built: requests read it without
// locks, and a reload (later) swaps in a whole new snapshot.
#pragma once

#include <string>
#include <vector>

#include "core/log.h"
#include "http/server.h"
#include "http/upstream.h"
#include "providers/provider.h"
#include "routing/router.h"

namespace switchyard::config {

struct Snapshot {
  std::string source;  // the file it came from, or "embedded default"
  http::ServerOptions server;
  std::string master_key;  // empty: no client authentication
  log::Level log_level = log::Level::info;
  http::UpstreamTimeouts timeouts;  // defaults for every provider
  std::vector<providers::ProviderSpec> providers;
  std::vector<routing::ModelAlias> models;
};

}  // namespace switchyard::config
