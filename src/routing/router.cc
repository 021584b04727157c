#include "routing/router.h"

namespace switchyard::routing {

Router::Router(std::vector<ModelAlias> aliases, ProviderMap providers)
    : aliases_(std::move(aliases)), providers_(std::move(providers)) {
  for (const ModelAlias& alias : aliases_) by_name_.emplace(alias.name, &alias);
}

std::vector<Candidate> Router::plan(std::string_view requested_model) const {
  std::vector<Candidate> candidates;
  // Aliases win over PROVIDER/MODEL, so an alias may itself contain a slash.
  if (auto alias = by_name_.find(std::string(requested_model)); alias != by_name_.end()) {
    for (const Deployment& deployment : alias->second->deployments) {
      auto provider = providers_.find(deployment.provider);
      if (provider != providers_.end()) {
        candidates.push_back({provider->second.get(), deployment.model, deployment.unsupported_params});
      }
    }
    return candidates;
  }
  auto slash = requested_model.find('/');
  if (slash == std::string_view::npos || slash == 0 || slash + 1 == requested_model.size()) return candidates;
  auto provider = providers_.find(std::string(requested_model.substr(0, slash)));
  if (provider != providers_.end()) {
    candidates.push_back({provider->second.get(), std::string(requested_model.substr(slash + 1)),
                          canonical::UnsupportedParams::reject});
  }
  return candidates;
}

}  // namespace switchyard::routing
