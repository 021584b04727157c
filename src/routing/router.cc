#include "routing/router.h"

#include <algorithm>
#include <map>


namespace switchyard::routing {
namespace {

using Clock = std::chrono::steady_clock;

std::mt19937_64& thread_random() {
  thread_local std::mt19937_64 random{std::random_device{}()};
  return random;
}

// Keeps a candidate unless its circuit is open; remembers when the first one recovers.
bool usable(const DeploymentHealth& health, Clock::time_point now, Plan& plan) {
  if (health.state(now) != HealthState::cooling_down) return true;
  Clock::time_point until = health.cooldown_until();
  if (!plan.earliest_recovery || until < *plan.earliest_recovery) plan.earliest_recovery = until;
  return false;
}

}  // namespace

namespace {

// A breaker exists to route around a failing deployment; with nowhere else to go it would
// only turn errors into faster errors, so it is off unless asked for.
CooldownPolicy breaker_policy(const ModelAlias& alias) {
  CooldownPolicy policy = alias.cooldown;
  if (!policy.configured && alias.deployments.size() < 2 && alias.fallbacks.empty()) policy.failures = 0;
  return policy;
}

std::string identity_of(const ProviderMap& providers, const std::string& name) {
  auto provider = providers.find(name);
  return provider == providers.end() ? name : provider->second->identity();
}

}  // namespace

Router::Router(std::vector<ModelAlias> aliases, ProviderMap providers, std::shared_ptr<LiveState> live)
    : aliases_(std::move(aliases)), providers_(std::move(providers)),
      live_(live ? std::move(live) : std::make_shared<LiveState>()) {
  // A deployment several aliases list has one health, as it is one upstream; its breaker
  // follows the first of them (in the order configured) that uses one.
  std::map<std::string, CooldownPolicy> policies;
  for (const ModelAlias& alias : aliases_) {
    CooldownPolicy policy = breaker_policy(alias);
    for (const Deployment& deployment : alias.deployments) {
      auto [entry, added] = policies.try_emplace(identity_of(providers_, deployment.provider) + "\n" + deployment.model,
                                                 policy);
      if (!added && entry->second.failures == 0 && policy.failures > 0) entry->second = policy;
    }
  }
  for (const ModelAlias& alias : aliases_) {
    by_name_.emplace(alias.name, &alias);
    breaker_[&alias] = breaker_policy(alias).failures > 0;
    auto& slots = slots_[&alias];
    for (const Deployment& deployment : alias.deployments) {
      auto provider = providers_.find(deployment.provider);
      std::string identity = identity_of(providers_, deployment.provider);
      const CooldownPolicy& policy = policies.at(identity + "\n" + deployment.model);
      const providers::Provider* known = provider == providers_.end() ? nullptr : provider->second.get();
      const pricing::ModelPrice* price = deployment.price ? deployment.price.get()
                                         : known          ? known->list_price(deployment.model)
                                                          : nullptr;
      slots.push_back({live_->configured(identity, deployment.model, policy), known,
                       (known ? known->name() : deployment.provider) + "/" + deployment.model, price});
    }
  }
}

void Router::append_alias(const ModelAlias& alias, std::vector<Candidate>& out, Visited& visited, Plan& plan) const {
  if (std::find(visited.begin(), visited.end(), &alias) != visited.end()) return;
  visited.push_back(&alias);
  plan.known = true;
  const auto& slots = slots_.at(&alias);
  bool breaker = breaker_.at(&alias);
  Clock::time_point now = Clock::now();
  auto consider = [&](std::size_t i) {
    const Deployment& deployment = alias.deployments[i];
    const DeploymentSlot& slot = slots[i];
    if (!slot.provider || (breaker && !usable(*slot.health, now, plan))) return;
    if (!slot.health->within(deployment.limits, now)) {
      plan.rate_limited = true;
      return;
    }
    out.push_back({slot.provider, deployment.model, deployment.api.value_or(slot.provider->dialect()),
                   deployment.unsupported_params, slot.health.get(), breaker,
                   deployment.timeouts ? deployment.timeouts : alias.timeouts, deployment.limits, slot.label, nullptr,
                   slot.price});
  };
  if (alias.deployments.size() == 1) {
    consider(0);  // one deployment has one order, whatever the strategy
  } else {
    std::vector<DeploymentFacts> facts;
    facts.reserve(alias.deployments.size());
    std::optional<std::chrono::sys_days> today;
    if (alias.strategy == Strategy::lowest_cost) today = pricing::day_of(std::chrono::system_clock::now());
    for (std::size_t i = 0; i < alias.deployments.size(); ++i) {
      const Deployment& deployment = alias.deployments[i];
      std::optional<std::int64_t> price;
      if (today && slots[i].price) price = slots[i].price->base_per_token(*today);
      const DeploymentHealth& health = *slots[i].health;
      facts.push_back({deployment.priority, deployment.weight, health.in_flight(), health.latency_us(), price});
    }
    for (std::size_t i : order_deployments(alias.strategy, facts, thread_random())) consider(i);
  }
  for (const std::string& fallback : alias.fallbacks) {
    if (auto next = by_name_.find(fallback); next != by_name_.end()) append_alias(*next->second, out, visited, plan);
  }
}

void Router::append_direct(std::string_view name, std::vector<Candidate>& out, Plan& plan) const {
  auto slash = name.find('/');
  if (slash == std::string_view::npos || slash == 0 || slash + 1 == name.size()) return;
  auto provider = providers_.find(std::string(name.substr(0, slash)));
  if (provider == providers_.end()) return;
  plan.known = true;
  std::string_view model = name.substr(slash + 1);
  std::shared_ptr<DeploymentHealth> health =
      live_->direct(provider->second->identity(), provider->second->name(), model);
  DeploymentHealth* state = health.get();
  out.push_back({provider->second.get(), std::string(model), provider->second->dialect(),
                 canonical::UnsupportedParams::reject, state, false,
                 std::nullopt, {}, std::string(name), std::move(health), provider->second->list_price(model)});
}

Plan Router::plan(std::string_view requested_model, const std::vector<std::string>& extra_models) const {
  Plan plan;
  Visited visited;
  bool first = true;
  auto add = [&](std::string_view name) {
    // Aliases win over PROVIDER/MODEL, so an alias may itself contain a slash.
    if (auto alias = by_name_.find(name); alias != by_name_.end()) {
      if (first) plan.retry = alias->second->retry;
      append_alias(*alias->second, plan.candidates, visited, plan);
    } else {
      append_direct(name, plan.candidates, plan);
    }
    first = false;
  };
  add(requested_model);
  if (!plan.known) return plan;  // an unknown primary model is a 404, whatever the extras
  for (const std::string& extra : extra_models) {
    if (extra != requested_model) add(extra);
  }
  if (!plan.candidates.empty()) plan.earliest_recovery.reset();
  return plan;
}

std::vector<Router::DeploymentStatus> Router::status() const {
  std::vector<DeploymentStatus> out;
  Clock::time_point now = Clock::now();
  auto describe = [&](std::string alias, std::string provider, std::string model, const DeploymentHealth& health) {
    HealthState state = health.state(now);
    std::int64_t remaining = 0;
    if (state == HealthState::cooling_down) {
      remaining = std::chrono::duration_cast<std::chrono::milliseconds>(health.cooldown_until() - now).count();
    }
    out.push_back({std::move(alias), std::move(provider), std::move(model), state, health.in_flight(),
                   health.latency_us(), health.successes(), health.failures(), remaining});
  };
  for (const ModelAlias& alias : aliases_) {
    const auto& slots = slots_.at(&alias);
    for (std::size_t i = 0; i < alias.deployments.size(); ++i) {
      describe(alias.name, alias.deployments[i].provider, alias.deployments[i].model, *slots[i].health);
    }
  }
  live_->for_each_direct([&](const std::string& provider, const std::string& model, const DeploymentHealth& health) {
    describe({}, provider, model, health);
  });
  return out;
}

}  // namespace switchyard::routing
