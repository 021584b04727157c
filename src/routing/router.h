// Turns the model name a client asked for into the ordered list of deployments to try.
// A name is either a configured alias ("fast") or PROVIDER/MODEL ("oai/gpt-4o").
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/canonical.h"
#include "providers/provider.h"

namespace switchyard::routing {

struct Deployment {
  std::string provider;
  std::string model;  // the name the provider knows the model by
  // What translation does with a parameter this provider's API cannot take.
  canonical::UnsupportedParams unsupported_params = canonical::UnsupportedParams::reject;
};

struct ModelAlias {
  std::string name;
  std::vector<Deployment> deployments;
};

struct Candidate {
  const providers::Provider* provider = nullptr;
  std::string model;
  canonical::UnsupportedParams unsupported_params = canonical::UnsupportedParams::reject;
};

using ProviderMap = std::unordered_map<std::string, std::shared_ptr<const providers::Provider>>;

class Router {
 public:
  // Every deployment must name a provider in `providers` (the config compiler checks).
  Router(std::vector<ModelAlias> aliases, ProviderMap providers);

  // Candidates in the order to try them; empty when the name is unknown.
  std::vector<Candidate> plan(std::string_view requested_model) const;

  const std::vector<ModelAlias>& aliases() const { return aliases_; }
  const ProviderMap& providers() const { return providers_; }

 private:
  std::vector<ModelAlias> aliases_;
  std::unordered_map<std::string, const ModelAlias*> by_name_;
  ProviderMap providers_;
};

}  // namespace switchyard::routing
