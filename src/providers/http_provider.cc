#include "providers/http_provider.h"

namespace switchyard::providers {
namespace {

// Model names go into URL paths for Azure and Gemini; keep them from escaping the segment.
std::string path_segment(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 0xf];
    }
  }
  return out;
}

}  // namespace

HttpProvider::HttpProvider(const ProviderSpec& spec, Dialect dialect, http::UpstreamTarget target, AuthHeaders auth)
    : Provider(spec.name, dialect, spec.timeouts), target_(std::move(target)) {
  headers_.emplace_back("content-type", "application/json");
  for (const auto& header : spec.headers) headers_.push_back(header);
  std::vector<std::string> keys = spec.api_keys;
  if (keys.empty() && !spec.api_key.empty()) keys.push_back(spec.api_key);
  if (keys.empty()) keys.emplace_back();  // local servers often need no key: auth("") sends none
  for (const auto& key : keys) key_headers_.push_back(auth(key));
}

boost::asio::awaitable<Result<std::unique_ptr<http::UpstreamResponse>>> HttpProvider::send(
    const ProviderCall& call, http::UpstreamPool& pool) const {
  http::UpstreamRequest request;
  request.target = &target_;
  request.method = "POST";
  request.path = path_for(call);
  std::size_t key = current_key_.load(std::memory_order_relaxed) % key_headers_.size();
  request.headers = headers_;
  for (const auto& header : key_headers_[key]) request.headers.push_back(header);
  request.headers.emplace_back("accept", call.stream ? "text/event-stream" : "application/json");
  request.body = call.body;
  request.timeouts = call.timeouts;
  auto response = co_await pool.send(request);
  // A 429 is usually the key's own limit: later requests use the next key of the account.
  if (response && response.value()->status() == 429 && key_headers_.size() > 1) {
    std::size_t expected = current_key_.load(std::memory_order_relaxed);
    if (expected % key_headers_.size() == key) current_key_.compare_exchange_strong(expected, expected + 1);
  }
  co_return response;
}

OpenAIProvider::OpenAIProvider(const ProviderSpec& spec, http::UpstreamTarget target)
    : HttpProvider(spec, Dialect::openai_chat, std::move(target), [](const std::string& key) {
        return key.empty() ? http::HeaderList{} : http::HeaderList{{"authorization", "Bearer " + key}};
      }) {}

std::string OpenAIProvider::path_for(const ProviderCall& call) const {
  return base_path() + (call.operation == Operation::embed ? "/embeddings" : "/chat/completions");
}

AzureOpenAIProvider::AzureOpenAIProvider(const ProviderSpec& spec, http::UpstreamTarget target)
    : HttpProvider(spec, Dialect::openai_chat, std::move(target),
                   [](const std::string& key) {
                     return key.empty() ? http::HeaderList{} : http::HeaderList{{"api-key", key}};
                   }),
      api_version_(spec.api_version.empty() ? "2024-10-21" : spec.api_version) {}

std::string AzureOpenAIProvider::path_for(const ProviderCall& call) const {
  std::string operation = call.operation == Operation::embed ? "/embeddings" : "/chat/completions";
  return base_path() + "/openai/deployments/" + path_segment(call.model) + operation + "?api-version=" +
         path_segment(api_version_);
}

AnthropicProvider::AnthropicProvider(const ProviderSpec& spec, http::UpstreamTarget target)
    : HttpProvider(spec, Dialect::anthropic_messages, std::move(target), [](const std::string& key) {
        http::HeaderList headers{{"anthropic-version", "2023-06-01"}};
        if (!key.empty()) headers.emplace_back("x-api-key", key);
        return headers;
      }) {}

std::string AnthropicProvider::path_for(const ProviderCall& call) const {
  return base_path() + (call.operation == Operation::count_tokens ? "/v1/messages/count_tokens" : "/v1/messages");
}

GeminiProvider::GeminiProvider(const ProviderSpec& spec, http::UpstreamTarget target)
    : HttpProvider(spec, Dialect::gemini, std::move(target),
                   [](const std::string& key) {
                     return key.empty() ? http::HeaderList{} : http::HeaderList{{"x-goog-api-key", key}};
                   }) {}

std::string GeminiProvider::path_for(const ProviderCall& call) const {
  std::string path = base_path() + "/v1beta/models/" + path_segment(call.model);
  switch (call.operation) {
    case Operation::generate:
      return path + (call.stream ? ":streamGenerateContent?alt=sse" : ":generateContent");
    case Operation::count_tokens: return path + ":countTokens";
    case Operation::embed: return path + ":batchEmbedContents";
  }
  return path;
}

}  // namespace switchyard::providers
