#include "routing/live_state.h"

namespace switchyard::routing {

std::string LiveState::key_of(const std::string& provider_identity, std::string_view model) {
  std::string key = provider_identity;
  key += '\n';
  key += model;
  return key;
}

void LiveState::forget_expired_locked() {
  std::erase_if(configured_, [](const auto& entry) { return entry.second.expired(); });
  std::erase_if(rotations_, [](const auto& entry) { return entry.second.expired(); });
}

std::shared_ptr<DeploymentHealth> LiveState::configured(const std::string& provider_identity, std::string_view model,
                                                        const CooldownPolicy& policy) {
  std::string key = key_of(provider_identity, model);
  std::lock_guard lock(mutex_);
  forget_expired_locked();  // configurations are built rarely: this keeps the map to what is alive
  if (auto found = configured_.find(key); found != configured_.end()) {
    if (auto health = found->second.lock()) {
      health->set_policy(policy);
      return health;
    }
  }
  // A deployment clients used by name before the configuration listed it keeps its state.
  std::shared_ptr<DeploymentHealth> health;
  if (auto direct = direct_index_.find(key); direct != direct_index_.end()) {
    health = direct->second->health;
    health->set_policy(policy);
  } else {
    health = std::make_shared<DeploymentHealth>(policy);
  }
  configured_[key] = health;
  return health;
}

std::shared_ptr<DeploymentHealth> LiveState::direct(const std::string& provider_identity,
                                                    std::string_view provider_name, std::string_view model) {
  std::string key = key_of(provider_identity, model);
  std::lock_guard lock(mutex_);
  if (auto found = direct_index_.find(key); found != direct_index_.end()) {
    direct_.splice(direct_.begin(), direct_, found->second);
    return found->second->health;
  }
  if (auto found = configured_.find(key); found != configured_.end()) {
    if (auto health = found->second.lock()) return health;
  }
  // A direct name never trips a breaker of its own: there is no alternative to route to.
  auto health = std::make_shared<DeploymentHealth>(CooldownPolicy{0, {}, {}, false});
  direct_.push_front({key, std::string(provider_name), std::string(model), health});
  direct_index_[key] = direct_.begin();
  if (direct_.size() > max_direct_) {
    // Forget the least recently used; requests still holding it finish with their copy.
    direct_index_.erase(direct_.back().key);
    direct_.pop_back();
  }
  return health;
}

std::shared_ptr<providers::KeyRotation> LiveState::key_rotation(const std::string& provider_identity) {
  std::lock_guard lock(mutex_);
  auto& slot = rotations_[provider_identity];
  if (auto rotation = slot.lock()) return rotation;
  auto rotation = std::make_shared<providers::KeyRotation>();
  slot = rotation;
  return rotation;
}

void LiveState::for_each_direct(
    const std::function<void(const std::string&, const std::string&, const DeploymentHealth&)>& visit) const {
  std::lock_guard lock(mutex_);
  for (const DirectEntry& entry : direct_) visit(entry.provider, entry.model, *entry.health);
}

std::size_t LiveState::direct_count() const {
  std::lock_guard lock(mutex_);
  return direct_.size();
}

std::size_t LiveState::configured_count() const {
  std::lock_guard lock(mutex_);
  std::size_t alive = 0;
  for (const auto& [key, health] : configured_) alive += health.expired() ? 0 : 1;
  return alive;
}

}  // namespace switchyard::routing
