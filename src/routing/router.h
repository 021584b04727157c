// Turns the model name a client asked for into the ordered list of deployments to try:
// the alias's deployments in its strategy's order, then its fallback aliases' deployments,
// skipping deployments that are cooling down. A name is either a configured alias
// ("fast") or PROVIDER/MODEL ("oai/gpt-4o").
#pragma once

#include <boost/container/small_vector.hpp>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/canonical.h"
#include "http/upstream.h"
#include "providers/provider.h"
#include "routing/health.h"
#include "routing/live_state.h"
#include "routing/strategy.h"

namespace switchyard::routing {

struct Deployment {
  std::string provider;
  std::string model;  // the name the provider knows the model by
  // What translation does with a parameter this provider's API cannot take.
  canonical::UnsupportedParams unsupported_params = canonical::UnsupportedParams::reject;
  // The API requests go out in, when not the provider's own (`api: responses`).
  std::optional<Dialect> api;
  double weight = 1;
  int priority = 0;
  RateLimits limits;  // the upstream key's rpm/tpm; over them the deployment is skipped
  std::optional<http::UpstreamTimeouts> timeouts;
  // The configured `price:`, which wins over the provider's list price.
  std::shared_ptr<const pricing::ModelPrice> price;
};

struct RetryPolicy {
  int max_attempts = 0;  // attempts across all candidates and rounds; 0: one per candidate
  // When the first attempt has no first token after this long, the next candidate is
  // started in parallel and the first to produce one wins (0: no hedging).
  Millis hedge_after{0};
  Millis initial_backoff{200};
  Millis max_backoff{5000};  // also the longest retry-after the gateway waits out itself
};

struct ModelAlias {
  std::string name;
  Strategy strategy = Strategy::priority;
  std::vector<Deployment> deployments;
  std::vector<std::string> fallbacks;  // other aliases, tried when every deployment failed
  RetryPolicy retry;
  std::optional<http::UpstreamTimeouts> timeouts;
  CooldownPolicy cooldown;
};

struct Candidate {
  const providers::Provider* provider = nullptr;
  std::string model;
  Dialect dialect{};  // the API its requests are written for (the router always sets it)
  canonical::UnsupportedParams unsupported_params = canonical::UnsupportedParams::reject;
  // Live state, shared with every snapshot that has the deployment. A configured
  // deployment's is kept by the router (alive while its snapshot is); a client-named one's
  // by `health_owner` (there is no snapshot of it): copying a candidate then touches no
  // reference count the other threads share.
  DeploymentHealth* health = nullptr;
  bool breaker = true;  // its alias routes around it when its circuit is open
  std::optional<http::UpstreamTimeouts> timeouts;  // the deployment's, else its alias's
  RateLimits limits;
  std::string label;  // "provider/model", for logs and headers; spelled once per plan
  std::shared_ptr<DeploymentHealth> health_owner;
  // What it costs: the configured price, else the list price; null when unknown. Lives as
  // long as the router (configured) or the process (list prices).
  const pricing::ModelPrice* price = nullptr;
};

struct Plan {
  std::vector<Candidate> candidates;
  RetryPolicy retry;
  bool known = false;  // the name resolved, even if every deployment is cooling down
  std::optional<std::chrono::steady_clock::time_point> earliest_recovery;  // when all are cooling
  bool rate_limited = false;  // some deployment was left out for being over its rpm/tpm
};

using ProviderMap = std::unordered_map<std::string, std::shared_ptr<const providers::Provider>>;

class Router {
 public:
  // Every deployment and fallback must name a provider/alias that exists (the config
  // compiler checks). What is learned about each deployment lives in `live`, shared with
  // the routers of other snapshots; without one, the router keeps its own.
  Router(std::vector<ModelAlias> aliases, ProviderMap providers, std::shared_ptr<LiveState> live = nullptr);

  // `extra_models` are per-request fallbacks (OpenRouter's `models` body field), tried after
  // the requested model's own plan.
  Plan plan(std::string_view requested_model, const std::vector<std::string>& extra_models = {}) const;

  const std::vector<ModelAlias>& aliases() const { return aliases_; }
  // Whether `name` is a configured alias (not a client-named PROVIDER/MODEL).
  bool is_alias(std::string_view name) const { return by_name_.find(name) != by_name_.end(); }
  const ProviderMap& providers() const { return providers_; }

  struct DeploymentStatus {
    std::string alias;  // empty for PROVIDER/MODEL
    std::string provider;
    std::string model;
    HealthState state;
    int in_flight;
    std::int64_t latency_us;
    std::uint64_t successes;
    std::uint64_t failures;
    std::int64_t cooldown_remaining_ms;
  };
  std::vector<DeploymentStatus> status() const;

 private:
  using Visited = boost::container::small_vector<const ModelAlias*, 4>;
  void append_alias(const ModelAlias& alias, std::vector<Candidate>& out, Visited& visited, Plan& plan) const;
  void append_direct(std::string_view name, std::vector<Candidate>& out, Plan& plan) const;

  std::vector<ModelAlias> aliases_;
  // Looked up by the request's string_view, without a string made for it.
  struct NameHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view name) const { return std::hash<std::string_view>{}(name); }
  };
  std::unordered_map<std::string, const ModelAlias*, NameHash, std::equal_to<>> by_name_;
  ProviderMap providers_;
  std::shared_ptr<LiveState> live_;
  // What a plan needs of a deployment that does not change between requests, worked out once.
  struct DeploymentSlot {
    std::shared_ptr<DeploymentHealth> health;
    const providers::Provider* provider = nullptr;  // null if the config named none that exists
    std::string label;                              // "provider/model"
    const pricing::ModelPrice* price = nullptr;     // see Candidate::price
  };
  // Parallel to each alias's deployments.
  std::unordered_map<const ModelAlias*, std::vector<DeploymentSlot>> slots_;
  std::unordered_map<const ModelAlias*, bool> breaker_;  // whether the alias uses circuit breakers
};

}  // namespace switchyard::routing
