// A provider is a dialect plus where its requests go and how they are signed. The
// pipeline hands it a body already encoded in the provider's dialect; the provider adds
// the URL, the auth and vendor headers, and sends it.
#pragma once

#include <atomic>
#include <boost/asio/awaitable.hpp>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "dialects/dialect.h"
#include "http/upstream.h"
#include "pricing/model_price.h"

namespace switchyard::providers {

// A provider as configured; the config layer fills it in, make_provider checks it.
struct ProviderSpec {
  std::string name;
  std::string type;                 // see provider_types()
  std::string base_url;             // what the provider's official SDK takes as base URL
  std::string api_key;              // never logged, never sent anywhere but this provider
  std::vector<std::string> api_keys;  // several keys of one account: used in turn, next one on a 429
  std::string api_version;          // azure-openai: the api-version query parameter
  http::HeaderList headers;         // extra headers on every upstream request
  std::string ca_file;              // verify TLS against this CA bundle instead of the system store
  std::optional<http::UpstreamTimeouts> timeouts;  // overrides the global upstream timeouts
};

struct ProviderTypeInfo {
  std::string_view type;
  Dialect dialect;
  bool needs_base_url;
  std::string_view default_base_url;  // used when base_url is omitted (empty: none)
  std::string_view description;
  bool takes_base_url = true;     // false: served in process, no network
  bool takes_api_version = false;  // the `api_version` setting applies
  // The embedded default configures a provider of this type, named after it, when this
  // environment variable holds a key. Empty: never.
  std::string_view default_key_env = {};
  // A deployment may say `api: responses`: this type also serves the OpenAI Responses API.
  bool offers_responses_api = false;
  // The catalogue of the built-in price table (data/prices.json) that prices this type's
  // models. Empty: none does (a price must be configured per deployment).
  std::string_view price_catalogue = {};
  // The provider's name in OpenTelemetry's GenAI conventions (gen_ai.provider.name).
  std::string_view system_name = {};
};

const std::vector<ProviderTypeInfo>& provider_types();
const ProviderTypeInfo* find_provider_type(std::string_view type);

// The APIs a deployment may name (`api: chat`, `api: responses`): the dialect its requests
// go out in, or nullopt when providers of `type` do not offer that API. "chat" is the type's own.
std::optional<Dialect> api_dialect(const ProviderTypeInfo& type, std::string_view api);
// The name `api_dialect` takes for a dialect a deployment was set to.
std::string_view api_name(Dialect dialect);

enum class Operation { generate, count_tokens, embed };

struct ProviderCall {
  Operation operation = Operation::generate;
  std::string model;  // the upstream's name for the model (some APIs put it in the URL)
  std::string body;   // in `dialect`
  // The API the body is written for: the provider's own, or another it also offers (an
  // OpenAI deployment reached through the Responses API).
  Dialect dialect = Dialect::openai_chat;
  bool stream = false;
  http::UpstreamTimeouts timeouts;
  bool first_token_by_caller = false;  // see http::UpstreamRequest
  http::Interrupt* interrupt = nullptr;  // see http::UpstreamRequest
  std::string traceparent;  // W3C trace context for the upstream; empty: none is sent
};

// Which of a provider's keys requests use now. Live state: it outlives a configuration
// snapshot, so a reload does not send traffic back to a key that was just rate limited.
struct KeyRotation {
  std::atomic<std::size_t> current{0};
};

// What identifies a provider's upstream across configurations: its name and where its
// requests go. Deployments of the same identity share what the gateway learned about them.
std::string provider_identity(const ProviderSpec& spec);

class Provider {
 public:
  Provider(const ProviderSpec& spec, Dialect dialect);
  virtual ~Provider() = default;
  const std::string& name() const { return name_; }
  const std::string& identity() const { return identity_; }
  Dialect dialect() const { return dialect_; }
  // The provider's own timeouts, if configured; otherwise the caller's defaults apply.
  const std::optional<http::UpstreamTimeouts>& timeouts() const { return timeouts_; }
  // False when the provider's API has no such operation.
  virtual bool supports(Operation operation) const = 0;
  // What `model` costs here by the built-in price table; null when it does not list it.
  // Lives as long as the process.
  virtual const pricing::ModelPrice* list_price(std::string_view model) const;
  // gen_ai.provider.name: "openai", "azure.ai.openai", "anthropic", "gcp.gemini", ...
  std::string_view system_name() const { return system_name_; }
  // `call` must outlive the send: the request goes out as views of its body and model.
  virtual boost::asio::awaitable<Result<std::unique_ptr<http::UpstreamResponse>>> send(
      const ProviderCall& call, http::UpstreamPool& pool) const = 0;

 private:
  std::string name_;
  std::string identity_;
  Dialect dialect_;
  std::optional<http::UpstreamTimeouts> timeouts_;
  std::string_view price_catalogue_;
  std::string_view system_name_;
};

// Builds a provider from its spec; the error names what is wrong with it. `rotation` is
// the live key rotation of its identity (a fresh one when null).
Result<std::shared_ptr<const Provider>> make_provider(const ProviderSpec& spec,
                                                      std::shared_ptr<KeyRotation> rotation = nullptr);

}  // namespace switchyard::providers
