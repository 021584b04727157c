// OpenAI and every OpenAI-compatible service (OpenRouter, Groq, Mistral, DeepSeek,
// Together, vLLM, Ollama, ...): the OpenAI dialect, `Authorization: Bearer`, and paths
// appended to the base URL exactly as the official OpenAI SDK appends them.
#pragma once

#include "providers/provider.h"

namespace switchyard::providers {

class OpenAICompatibleProvider final : public Provider {
 public:
  OpenAICompatibleProvider(const ProviderSpec& spec, http::UpstreamTarget target);

  Dialect dialect() const override { return Dialect::openai_chat; }
  const std::optional<http::UpstreamTimeouts>& timeouts() const override { return timeouts_; }
  boost::asio::awaitable<Result<std::unique_ptr<http::UpstreamResponse>>> chat(
      const ChatCall& call, http::UpstreamPool& pool) const override;

 private:
  http::UpstreamTarget target_;
  std::string chat_path_;
  http::HeaderList headers_;  // auth and configured headers, built once
  std::optional<http::UpstreamTimeouts> timeouts_;
};

}  // namespace switchyard::providers
