#include "server/runtime.h"

namespace switchyard::server {

Result<std::shared_ptr<const Runtime>> build_runtime(const config::Snapshot& snapshot) {
  routing::ProviderMap providers;
  for (const auto& spec : snapshot.providers) {
    auto provider = providers::make_provider(spec);
    if (!provider) return provider.take_error();
    providers.emplace(spec.name, std::move(provider.value()));
  }
  return std::make_shared<const Runtime>(snapshot.models, std::move(providers), snapshot.master_key,
                                         snapshot.timeouts);
}

}  // namespace switchyard::server
