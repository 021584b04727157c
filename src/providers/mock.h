// The built-in mock provider: deterministic OpenAI-shaped chat completions and streams
// produced in process, so the gateway can be tried and tested without any network.
// It answers "Mock reply to: <last user text>" and counts a token per word.
#pragma once

#include "providers/provider.h"

namespace switchyard::providers {

class MockProvider final : public Provider {
 public:
  explicit MockProvider(const ProviderSpec& spec) : Provider(spec, Dialect::openai_chat) {}

  bool supports(Operation operation) const override { return operation == Operation::generate; }
  // Its answers cost nothing, which is a known price (not an unknown one).
  const pricing::ModelPrice* list_price(std::string_view model) const override;
  boost::asio::awaitable<Result<std::unique_ptr<http::UpstreamResponse>>> send(
      const ProviderCall& call, http::UpstreamPool& pool) const override;
};

}  // namespace switchyard::providers
