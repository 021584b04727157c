#include "providers/openai_compatible.h"

namespace switchyard::providers {

OpenAICompatibleProvider::OpenAICompatibleProvider(const ProviderSpec& spec, http::UpstreamTarget target)
    : Provider(spec.name), target_(std::move(target)), timeouts_(spec.timeouts) {
  chat_path_ = target_.url.base_path + "/chat/completions";
  headers_.emplace_back("content-type", "application/json");
  // Local servers (Ollama, vLLM) often need no key; send none rather than an empty one.
  if (!spec.api_key.empty()) headers_.emplace_back("authorization", "Bearer " + spec.api_key);
  for (const auto& header : spec.headers) headers_.push_back(header);
}

boost::asio::awaitable<Result<std::unique_ptr<http::UpstreamResponse>>> OpenAICompatibleProvider::chat(
    const ChatCall& call, http::UpstreamPool& pool) const {
  http::UpstreamRequest request;
  request.target = &target_;
  request.method = "POST";
  request.path = chat_path_;
  request.headers = headers_;
  request.headers.emplace_back("accept", call.stream ? "text/event-stream" : "application/json");
  request.body = call.body;
  request.timeouts = call.timeouts;
  co_return co_await pool.send(request);
}

}  // namespace switchyard::providers
