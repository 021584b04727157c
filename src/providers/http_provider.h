// What every networked provider shares: a verified upstream target, signed headers built
// once, and a path per operation. Each vendor file only says how its URLs and auth look.
#pragma once

#include "providers/provider.h"

namespace switchyard::providers {

class HttpProvider : public Provider {
 public:
  using AuthHeaders = http::HeaderList (*)(const std::string& key);

  // `auth` turns each configured key into its headers (none when no key is configured).
  HttpProvider(const ProviderSpec& spec, Dialect dialect, http::UpstreamTarget target, AuthHeaders auth);

  // Shares the live rotation of this provider's identity (see LiveState).
  void use_key_rotation(std::shared_ptr<KeyRotation> rotation) { rotation_ = std::move(rotation); }

  boost::asio::awaitable<Result<std::unique_ptr<http::UpstreamResponse>>> send(
      const ProviderCall& call, http::UpstreamPool& pool) const override;

 protected:
  // The absolute path (base path included) and query for a call: a view of a path built
  // once when it depends only on the operation, else spelled into `storage`.
  virtual std::string_view path_for(const ProviderCall& call, std::string& storage) const = 0;
  const std::string& base_path() const { return target_.url.base_path; }

 private:
  http::UpstreamTarget target_;
  // The request's field lines for each API key: content type, configured headers, the
  // key's own and the accept header, spelled once for each kind of answer.
  struct KeyHeaderLines {
    std::string json;
    std::string stream;
  };
  std::vector<KeyHeaderLines> key_header_lines_;
  std::shared_ptr<KeyRotation> rotation_ = std::make_shared<KeyRotation>();
};

// OpenAI and every OpenAI-compatible service: `Authorization: Bearer`, paths appended to
// the base URL as the official OpenAI SDK appends them.
class OpenAIProvider final : public HttpProvider {
 public:
  OpenAIProvider(const ProviderSpec& spec, http::UpstreamTarget target);
  bool supports(Operation operation) const override { return operation != Operation::count_tokens; }

 protected:
  std::string_view path_for(const ProviderCall& call, std::string& storage) const override;

 private:
  std::string chat_path_;
  std::string responses_path_;
  std::string embeddings_path_;
};

// Azure OpenAI: the OpenAI dialect at /openai/deployments/{deployment}/..., an
// `api-version` query parameter and an `api-key` header.
class AzureOpenAIProvider final : public HttpProvider {
 public:
  AzureOpenAIProvider(const ProviderSpec& spec, http::UpstreamTarget target);
  bool supports(Operation operation) const override { return operation != Operation::count_tokens; }

 protected:
  std::string_view path_for(const ProviderCall& call, std::string& storage) const override;

 private:
  std::string api_version_;
};

// Anthropic Messages: `x-api-key` and `anthropic-version`; the base URL excludes /v1.
class AnthropicProvider final : public HttpProvider {
 public:
  AnthropicProvider(const ProviderSpec& spec, http::UpstreamTarget target);
  bool supports(Operation operation) const override { return operation != Operation::embed; }

 protected:
  std::string_view path_for(const ProviderCall& call, std::string& storage) const override;

 private:
  std::string messages_path_;
  std::string count_tokens_path_;
};

// Gemini: `x-goog-api-key`; the model and the method are in the path, under /v1beta.
class GeminiProvider final : public HttpProvider {
 public:
  GeminiProvider(const ProviderSpec& spec, http::UpstreamTarget target);
  bool supports(Operation) const override { return true; }

 protected:
  std::string_view path_for(const ProviderCall& call, std::string& storage) const override;
};

}  // namespace switchyard::providers
