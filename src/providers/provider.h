// A provider is a dialect plus where its requests go and how they are signed. The
// pipeline hands it a body already encoded in the provider's dialect; the provider adds
// the URL, the auth and vendor headers, and sends it.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "dialects/dialect.h"
#include "http/upstream.h"

namespace switchyard::providers {

// A provider as configured; the config layer fills it in, make_provider checks it.
struct ProviderSpec {
  std::string name;
  std::string type;                 // see provider_types()
  std::string base_url;             // what the provider's official SDK takes as base URL
  std::string api_key;              // never logged, never sent anywhere but this provider
  http::HeaderList headers;         // extra headers on every upstream request
  std::string ca_file;              // verify TLS against this CA bundle instead of the system store
  std::optional<http::UpstreamTimeouts> timeouts;  // overrides the global upstream timeouts
};

struct ProviderTypeInfo {
  std::string_view type;
  bool needs_base_url;
  std::string_view default_base_url;  // used when base_url is omitted (empty: none)
  std::string_view description;
};

const std::vector<ProviderTypeInfo>& provider_types();
const ProviderTypeInfo* find_provider_type(std::string_view type);

struct ChatCall {
  std::string body;  // in the provider's dialect, model already set
  bool stream = false;
  http::UpstreamTimeouts timeouts;
};

class Provider {
 public:
  explicit Provider(std::string name) : name_(std::move(name)) {}
  virtual ~Provider() = default;
  const std::string& name() const { return name_; }
  virtual Dialect dialect() const = 0;
  // The provider's own timeouts, if configured; otherwise the caller's defaults apply.
  virtual const std::optional<http::UpstreamTimeouts>& timeouts() const = 0;
  virtual boost::asio::awaitable<Result<std::unique_ptr<http::UpstreamResponse>>> chat(
      const ChatCall& call, http::UpstreamPool& pool) const = 0;

 private:
  std::string name_;
};

// Builds a provider from its spec; the error names what is wrong with it.
Result<std::shared_ptr<const Provider>> make_provider(const ProviderSpec& spec);

}  // namespace switchyard::providers
