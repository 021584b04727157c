// The built-in mock provider: deterministic OpenAI-shaped chat completions and streams
// produced in process, so the gateway can be tried and tested without any network.
// It answers "Mock reply to: <last user text>" and counts a token per word.
#pragma once

#include "providers/provider.h"

namespace switchyard::providers {

class MockProvider final : public Provider {
 public:
  explicit MockProvider(const ProviderSpec& spec) : Provider(spec.name), timeouts_(spec.timeouts) {}

  Dialect dialect() const override { return Dialect::openai_chat; }
  const std::optional<http::UpstreamTimeouts>& timeouts() const override { return timeouts_; }
  boost::asio::awaitable<Result<std::unique_ptr<http::UpstreamResponse>>> chat(
      const ChatCall& call, http::UpstreamPool& pool) const override;

 private:
  std::optional<http::UpstreamTimeouts> timeouts_;
};

}  // namespace switchyard::providers
