#include "providers/http_provider.h"

#include <array>

#include "http/wire.h"

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
    : Provider(spec, dialect), target_(std::move(target)) {
  http::HeaderList configured{{"content-type", "application/json"}};
  for (const auto& header : spec.headers) configured.push_back(header);
  const http::HeaderList accept_json{{"accept", "application/json"}};
  const http::HeaderList accept_stream{{"accept", "text/event-stream"}};
  std::vector<std::string> keys = spec.api_keys;
  if (keys.empty() && !spec.api_key.empty()) keys.push_back(spec.api_key);
  if (keys.empty()) keys.emplace_back();  // local servers often need no key: auth("") sends none
  for (const auto& key : keys) {
    http::HeaderList key_headers = auth(key);
    key_header_lines_.push_back(
        {http::header_lines(std::array<const http::HeaderList*, 3>{&configured, &key_headers, &accept_json}),
         http::header_lines(std::array<const http::HeaderList*, 3>{&configured, &key_headers, &accept_stream})});
  }
}

boost::asio::awaitable<Result<std::unique_ptr<http::UpstreamResponse>>> HttpProvider::send(
    const ProviderCall& call, http::UpstreamPool& pool) const {
  std::string path_storage;
  std::atomic<std::size_t>& current_key = rotation_->current;
  std::size_t key = current_key.load(std::memory_order_relaxed) % key_header_lines_.size();
  const KeyHeaderLines& lines = key_header_lines_[key];
  http::UpstreamRequest request;
  request.target = &target_;
  request.method = "POST";
  request.path = path_for(call, path_storage);
  request.header_lines = call.stream ? lines.stream : lines.json;
  std::string traced_lines;  // the trace context continues upstream, when there is one
  if (!call.traceparent.empty()) {
    traced_lines = std::string(request.header_lines) + "traceparent: " + call.traceparent + "\r\n";
    request.header_lines = traced_lines;
  }
  request.body = call.body;
  request.timeouts = call.timeouts;
  request.first_token_by_caller = call.first_token_by_caller;
  request.interrupt = call.interrupt;
  auto response = co_await pool.send(request);
  // A 429 is usually the key's own limit: later requests use the next key of the account.
  if (response && response.value()->status() == 429 && key_header_lines_.size() > 1) {
    std::size_t expected = current_key.load(std::memory_order_relaxed);
    if (expected % key_header_lines_.size() == key) current_key.compare_exchange_strong(expected, expected + 1);
  }
  co_return response;
}

OpenAIProvider::OpenAIProvider(const ProviderSpec& spec, http::UpstreamTarget target)
    : HttpProvider(spec, Dialect::openai_chat, std::move(target), [](const std::string& key) {
        return key.empty() ? http::HeaderList{} : http::HeaderList{{"authorization", "Bearer " + key}};
      }),
      chat_path_(base_path() + "/chat/completions"),
      responses_path_(base_path() + "/responses"),
      embeddings_path_(base_path() + "/embeddings") {}

std::string_view OpenAIProvider::path_for(const ProviderCall& call, std::string&) const {
  if (call.operation == Operation::embed) return embeddings_path_;
  return call.dialect == Dialect::openai_responses ? responses_path_ : chat_path_;
}

AzureOpenAIProvider::AzureOpenAIProvider(const ProviderSpec& spec, http::UpstreamTarget target)
    : HttpProvider(spec, Dialect::openai_chat, std::move(target),
                   [](const std::string& key) {
                     return key.empty() ? http::HeaderList{} : http::HeaderList{{"api-key", key}};
                   }),
      api_version_(spec.api_version.empty() ? "2024-10-21" : spec.api_version) {}

std::string_view AzureOpenAIProvider::path_for(const ProviderCall& call, std::string& storage) const {
  std::string operation = call.operation == Operation::embed ? "/embeddings" : "/chat/completions";
  storage = base_path() + "/openai/deployments/" + path_segment(call.model) + operation + "?api-version=" +
            path_segment(api_version_);
  return storage;
}

AnthropicProvider::AnthropicProvider(const ProviderSpec& spec, http::UpstreamTarget target)
    : HttpProvider(spec, Dialect::anthropic_messages, std::move(target), [](const std::string& key) {
        http::HeaderList headers{{"anthropic-version", "2023-06-01"}};
        if (!key.empty()) headers.emplace_back("x-api-key", key);
        return headers;
      }),
      messages_path_(base_path() + "/v1/messages"),
      count_tokens_path_(base_path() + "/v1/messages/count_tokens") {}

std::string_view AnthropicProvider::path_for(const ProviderCall& call, std::string&) const {
  return call.operation == Operation::count_tokens ? count_tokens_path_ : messages_path_;
}

GeminiProvider::GeminiProvider(const ProviderSpec& spec, http::UpstreamTarget target)
    : HttpProvider(spec, Dialect::gemini, std::move(target),
                   [](const std::string& key) {
                     return key.empty() ? http::HeaderList{} : http::HeaderList{{"x-goog-api-key", key}};
                   }) {}

std::string_view GeminiProvider::path_for(const ProviderCall& call, std::string& storage) const {
  storage = base_path() + "/v1beta/models/" + path_segment(call.model);
  switch (call.operation) {
    case Operation::generate:
      storage += call.stream ? ":streamGenerateContent?alt=sse" : ":generateContent";
      break;
    case Operation::count_tokens: storage += ":countTokens"; break;
    case Operation::embed: storage += ":batchEmbedContents"; break;
  }
  return storage;
}

}  // namespace switchyard::providers
