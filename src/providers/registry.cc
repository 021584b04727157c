// The provider types Switchyard knows, and construction from a spec.
#include <stdexcept>

#include "providers/mock.h"
#include "providers/openai_compatible.h"
#include "providers/provider.h"

namespace switchyard::providers {

const std::vector<ProviderTypeInfo>& provider_types() {
  static const std::vector<ProviderTypeInfo> types = {
      {"openai", false, "https://api.openai.com/v1",
       "OpenAI, or any OpenAI-compatible service given its base_url"},
      {"mock", false, "", "built-in deterministic mock, no network"},
  };
  return types;
}

const ProviderTypeInfo* find_provider_type(std::string_view type) {
  for (const auto& info : provider_types()) {
    if (info.type == type) return &info;
  }
  return nullptr;
}

Result<std::shared_ptr<const Provider>> make_provider(const ProviderSpec& spec) {
  const ProviderTypeInfo* info = find_provider_type(spec.type);
  if (!info) return make_error(ErrorKind::internal, "unknown provider type '" + spec.type + "'");
  if (spec.type == "mock") return std::shared_ptr<const Provider>(std::make_shared<MockProvider>(spec));

  std::string base_url = spec.base_url.empty() ? std::string(info->default_base_url) : spec.base_url;
  std::string error;
  auto url = http::parse_upstream_url(base_url, error);
  if (!url) return make_error(ErrorKind::internal, "provider '" + spec.name + "': base_url " + error);
  http::UpstreamTarget target{*url, nullptr};
  if (url->tls || !spec.ca_file.empty()) {
    try {
      target.tls_context = http::make_client_tls_context(spec.ca_file);
    } catch (const std::exception& e) {
      return make_error(ErrorKind::internal, "provider '" + spec.name + "': " + e.what());
    }
  }
  return std::shared_ptr<const Provider>(std::make_shared<OpenAICompatibleProvider>(spec, std::move(target)));
}

}  // namespace switchyard::providers
