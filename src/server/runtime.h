// What a request needs from the configuration, built once from a Snapshot: the providers,
// the router and the admission policy. Requests hold a shared_ptr to the Runtime they
// started with, so a reload never changes the rules under a request in flight.
#pragma once

#include <memory>

#include "config/snapshot.h"
#include "core/result.h"
#include "policy/master_key.h"
#include "routing/router.h"

namespace switchyard::server {

struct Runtime {
  Runtime(std::vector<routing::ModelAlias> aliases, routing::ProviderMap providers, std::string_view key,
          http::UpstreamTimeouts upstream_timeouts)
      : router(std::move(aliases), std::move(providers)), master_key(key), timeouts(upstream_timeouts) {}

  routing::Router router;  // holds the deployments' health, so it never moves
  policy::MasterKey master_key;
  http::UpstreamTimeouts timeouts;
  std::size_t max_response_size = 64 * 1024 * 1024;  // a non-streamed upstream body
};

Result<std::shared_ptr<const Runtime>> build_runtime(const config::Snapshot& snapshot);

}  // namespace switchyard::server
