#include "server/runtime.h"

namespace switchyard::server {

Result<std::shared_ptr<const Runtime>> build_runtime(const config::Snapshot& snapshot,
                                                     std::shared_ptr<routing::LiveState> live) {
  if (!live) live = std::make_shared<routing::LiveState>();
  routing::ProviderMap providers;
  for (const auto& spec : snapshot.providers) {
    auto provider = providers::make_provider(spec, live->key_rotation(providers::provider_identity(spec)));
    if (!provider) return provider.take_error();
    providers.emplace(spec.name, std::move(provider.value()));
  }
  auto runtime = std::make_shared<Runtime>(snapshot.models, std::move(providers), std::move(live), snapshot.master_key,
                                           snapshot.timeouts);
  runtime->response_retention = snapshot.storage.response_retention;
  return std::shared_ptr<const Runtime>(std::move(runtime));
}

}  // namespace switchyard::server
