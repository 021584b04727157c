// What the gateway learns while it serves, kept apart from the configuration: each
// deployment's health (circuit breaker, in-flight count, latency average, upstream rpm/tpm
// counters) and each provider's key rotation. A configuration snapshot is immutable and is
// replaced whole on reload; this registry outlives snapshots, so a deployment present in
// both keeps what was learned about it (one cooling down stays cooling down).
//
// Entries are keyed by identity: the provider's identity (name, type, base URL) and the
// upstream model. Configured deployments live as long as some snapshot names them: the
// registry holds them weakly, each snapshot's router strongly. Deployments a client names
// directly (PROVIDER/MODEL) are held here, at most `max_direct` of them, the least recently
// used forgotten first, so client-chosen names cannot grow it without limit.
#pragma once

#include <cstddef>
#include <functional>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "providers/provider.h"
#include "routing/health.h"

namespace switchyard::routing {

class LiveState {
 public:
  static constexpr std::size_t kDefaultMaxDirect = 1024;

  explicit LiveState(std::size_t max_direct = kDefaultMaxDirect) : max_direct_(max_direct) {}
  LiveState(const LiveState&) = delete;
  LiveState& operator=(const LiveState&) = delete;

  // The health of a configured deployment, created with `policy` or found (its policy then
  // updated: the newest configuration's breaker settings apply to what was learned).
  std::shared_ptr<DeploymentHealth> configured(const std::string& provider_identity, std::string_view model,
                                               const CooldownPolicy& policy);

  // The health of a deployment a client named directly. Shares a configured deployment's
  // when one of the same identity is alive; otherwise one of the bounded direct entries.
  std::shared_ptr<DeploymentHealth> direct(const std::string& provider_identity, std::string_view provider_name,
                                           std::string_view model);

  std::shared_ptr<providers::KeyRotation> key_rotation(const std::string& provider_identity);

  // Visits the direct entries (for the admin and metrics views): provider name, model, health.
  void for_each_direct(
      const std::function<void(const std::string&, const std::string&, const DeploymentHealth&)>& visit) const;

  std::size_t direct_count() const;
  std::size_t configured_count() const;  // alive ones

 private:
  static std::string key_of(const std::string& provider_identity, std::string_view model);
  void forget_expired_locked();

  struct DirectEntry {
    std::string key;
    std::string provider;
    std::string model;
    std::shared_ptr<DeploymentHealth> health;
  };

  std::size_t max_direct_;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, std::weak_ptr<DeploymentHealth>> configured_;
  std::list<DirectEntry> direct_;  // most recently used first
  std::unordered_map<std::string, std::list<DirectEntry>::iterator> direct_index_;
  std::unordered_map<std::string, std::weak_ptr<providers::KeyRotation>> rotations_;
};

}  // namespace switchyard::routing
