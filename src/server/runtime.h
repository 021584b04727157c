// What requests need from one configuration snapshot, built once from it: the providers,
// the router, authentication and admission. Immutable once built: each request (and each
// racer of a hedge) holds a shared_ptr to the Runtime it started with, so a reload never
// changes the rules under a request in flight. What the gateway learns while serving lives
// in the LiveState the runtime's router shares with every other runtime.
#pragma once

#include <memory>

#include "config/snapshot.h"
#include "core/result.h"
#include "policy/admission.h"
#include "policy/authenticator.h"
#include "routing/live_state.h"
#include "routing/router.h"

namespace switchyard::server {

struct Runtime {
  Runtime(std::vector<routing::ModelAlias> aliases, routing::ProviderMap providers,
          std::shared_ptr<routing::LiveState> live, std::string_view master_key, http::UpstreamTimeouts upstream_timeouts)
      : router(std::move(aliases), std::move(providers), std::move(live)), authenticator(master_key),
        timeouts(upstream_timeouts) {}

  routing::Router router;
  policy::Authenticator authenticator;
  policy::Admission admission;
  http::UpstreamTimeouts timeouts;
  std::size_t max_response_size = 64 * 1024 * 1024;  // a non-streamed upstream body
  Millis response_retention{0};  // how long stored Responses API answers are kept; 0: none are
};

// `live` is the gateway's live state (a fresh one when null, as for --check-config).
Result<std::shared_ptr<const Runtime>> build_runtime(const config::Snapshot& snapshot,
                                                     std::shared_ptr<routing::LiveState> live = nullptr);

}  // namespace switchyard::server
