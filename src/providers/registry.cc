// The provider types Switchyard knows, and construction from a spec.
#include <stdexcept>

#include "providers/http_provider.h"
#include "providers/mock.h"
#include "providers/provider.h"
#include "pricing/price_table.h"

namespace switchyard::providers {

const std::vector<ProviderTypeInfo>& provider_types() {
  static const std::vector<ProviderTypeInfo> types = {
      {"openai", Dialect::openai_chat, false, "https://api.openai.com/v1",
       "OpenAI, or any OpenAI-compatible service given its base_url", true, false, "OPENAI_API_KEY", true, "openai", "openai"},
      // Azure's global deployments bill OpenAI's list prices.
      {"azure-openai", Dialect::openai_chat, true, "", "Azure OpenAI: base_url is the resource endpoint", true, true,
       {}, false, "openai", "azure.ai.openai"},
      {"anthropic", Dialect::anthropic_messages, false, "https://api.anthropic.com", "Anthropic Messages API", true,
       false, "ANTHROPIC_API_KEY", false, "anthropic", "anthropic"},
      {"gemini", Dialect::gemini, false, "https://generativelanguage.googleapis.com", "Google Gemini API", true, false,
       "GEMINI_API_KEY", false, "gemini", "gcp.gemini"},
      {"mock", Dialect::openai_chat, false, "", "built-in deterministic mock, no network", false, false, {}, false, {},
       "switchyard.mock"},
  };
  return types;
}

std::optional<Dialect> api_dialect(const ProviderTypeInfo& type, std::string_view api) {
  if (api == "chat") return type.dialect;
  if (api == "responses" && type.offers_responses_api) return Dialect::openai_responses;
  return std::nullopt;
}

std::string_view api_name(Dialect dialect) { return dialect == Dialect::openai_responses ? "responses" : "chat"; }

const ProviderTypeInfo* find_provider_type(std::string_view type) {
  for (const auto& info : provider_types()) {
    if (info.type == type) return &info;
  }
  return nullptr;
}

std::string provider_identity(const ProviderSpec& spec) {
  std::string base_url = spec.base_url;
  if (base_url.empty()) {
    if (const ProviderTypeInfo* info = find_provider_type(spec.type)) base_url = info->default_base_url;
  }
  return spec.name + " " + spec.type + " " + base_url;
}

Provider::Provider(const ProviderSpec& spec, Dialect dialect)
    : name_(spec.name), identity_(provider_identity(spec)), dialect_(dialect), timeouts_(spec.timeouts) {
  if (const ProviderTypeInfo* info = find_provider_type(spec.type)) {
    price_catalogue_ = info->price_catalogue;
    system_name_ = info->system_name;
  }
}

const pricing::ModelPrice* Provider::list_price(std::string_view model) const {
  if (price_catalogue_.empty()) return nullptr;
  return pricing::PriceTable::builtin().find(price_catalogue_, model);
}

Result<std::shared_ptr<const Provider>> make_provider(const ProviderSpec& spec, std::shared_ptr<KeyRotation> rotation) {
  const ProviderTypeInfo* info = find_provider_type(spec.type);
  if (!info) return make_error(ErrorKind::internal, "unknown provider type '" + spec.type + "'");
  if (spec.type == "mock") return std::shared_ptr<const Provider>(std::make_shared<MockProvider>(spec));

  std::string base_url = spec.base_url.empty() ? std::string(info->default_base_url) : spec.base_url;
  std::string error;
  auto url = http::parse_upstream_url(base_url, error);
  if (!url) return make_error(ErrorKind::internal, "provider '" + spec.name + "': base_url " + error);
  std::shared_ptr<boost::asio::ssl::context> tls_context;
  if (url->tls || !spec.ca_file.empty()) {
    try {
      tls_context = http::make_client_tls_context(spec.ca_file);
    } catch (const std::exception& e) {
      return make_error(ErrorKind::internal, "provider '" + spec.name + "': " + e.what());
    }
  }
  http::UpstreamTarget target = http::make_upstream_target(std::move(*url), std::move(tls_context));
  std::shared_ptr<HttpProvider> provider;
  if (spec.type == "openai") provider = std::make_shared<OpenAIProvider>(spec, std::move(target));
  else if (spec.type == "azure-openai") provider = std::make_shared<AzureOpenAIProvider>(spec, std::move(target));
  else if (spec.type == "anthropic") provider = std::make_shared<AnthropicProvider>(spec, std::move(target));
  else provider = std::make_shared<GeminiProvider>(spec, std::move(target));
  if (rotation) provider->use_key_rotation(std::move(rotation));
  return std::shared_ptr<const Provider>(std::move(provider));
}

}  // namespace switchyard::providers
