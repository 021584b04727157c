#include "providers/mock.h"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <ctime>
#include <deque>

namespace switchyard::providers {
namespace json = boost::json;

namespace {

constexpr std::size_t kMaxEcho = 200;

// A response whose body is already complete, handed out piece by piece like a network read.
class BufferedResponse final : public http::UpstreamResponse {
 public:
  BufferedResponse(int status, std::string content_type, std::deque<std::string> pieces)
      : status_(status), pieces_(std::move(pieces)) {
    headers_.emplace_back("content-type", std::move(content_type));
  }
  int status() const override { return status_; }
  std::string_view header(std::string_view name) const override {
    for (const auto& [key, value] : headers_) {
      if (key.size() == name.size() && std::equal(key.begin(), key.end(), name.begin(), [](char a, char b) {
            return std::tolower(static_cast<unsigned char>(a)) == std::tolower(static_cast<unsigned char>(b));
          }))
        return value;
    }
    return {};
  }
  void for_each_header(const std::function<void(std::string_view, std::string_view)>& visit) const override {
    for (const auto& [name, value] : headers_) visit(name, value);
  }
  bool finished() const override { return pieces_.empty(); }
  boost::asio::awaitable<Result<std::string_view>> read_some() override {
    if (pieces_.empty()) co_return std::string_view{};
    current_ = std::move(pieces_.front());
    pieces_.pop_front();
    co_return std::string_view(current_);
  }

 private:
  int status_;
  http::HeaderList headers_;
  std::deque<std::string> pieces_;
  std::string current_;
};

std::string text_of(const json::value& content) {
  if (content.is_string()) return std::string(content.get_string());
  std::string text;
  if (const json::array* parts = content.if_array()) {
    for (const json::value& part : *parts) {
      const json::value* piece = part.is_object() ? part.get_object().if_contains("text") : nullptr;
      if (piece && piece->is_string()) {
        if (!text.empty()) text += ' ';
        text.append(piece->get_string());
      }
    }
  }
  return text;
}

std::int64_t count_words(std::string_view text) {
  std::int64_t words = 0;
  bool in_word = false;
  for (char c : text) {
    bool space = c == ' ' || c == '\n' || c == '\t' || c == '\r';
    if (!space && !in_word) ++words;
    in_word = !space;
  }
  return words;
}

// Splits the answer into words, each keeping its trailing space, so the pieces concatenate
// back to the answer exactly.
std::vector<std::string> split_words(const std::string& text) {
  std::vector<std::string> words;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t space = text.find(' ', start);
    std::size_t end = space == std::string::npos ? text.size() : space + 1;
    words.push_back(text.substr(start, end - start));
    start = end;
  }
  return words;
}

json::object usage_object(std::int64_t prompt, std::int64_t completion) {
  return json::object{{"prompt_tokens", prompt},
                      {"completion_tokens", completion},
                      {"total_tokens", prompt + completion},
                      {"prompt_tokens_details", json::object{{"cached_tokens", 0}}},
                      {"completion_tokens_details", json::object{{"reasoning_tokens", 0}}}};
}

}  // namespace

boost::asio::awaitable<Result<std::unique_ptr<http::UpstreamResponse>>> MockProvider::send(
    const ProviderCall& call, http::UpstreamPool&) const {
  // The pipeline has validated the body already; the mock only reads what it echoes.
  json::value request = json::parse(call.body);
  const json::object& fields = request.get_object();
  std::string model(fields.at("model").get_string());
  std::string last_user_text;
  std::int64_t prompt_tokens = 0;
  for (const json::value& message : fields.at("messages").get_array()) {
    const json::object& m = message.get_object();
    const json::value* content = m.if_contains("content");
    if (!content) continue;
    std::string text = text_of(*content);
    prompt_tokens += count_words(text);
    if (const json::value* role = m.if_contains("role"); role && role->is_string() && role->get_string() == "user") {
      last_user_text = text;
    }
  }
  if (last_user_text.size() > kMaxEcho) last_user_text.resize(kMaxEcho);
  std::string answer = "Mock reply to: " + last_user_text;
  std::int64_t completion_tokens = count_words(answer);
  std::int64_t created = static_cast<std::int64_t>(std::time(nullptr));
  std::string id = "chatcmpl-mock" + std::to_string(created);

  std::deque<std::string> pieces;
  if (!call.stream) {
    json::object message{{"role", "assistant"}, {"content", answer}, {"refusal", nullptr}, {"annotations", json::array{}}};
    json::object body{{"id", id},
                      {"object", "chat.completion"},
                      {"created", created},
                      {"model", model},
                      {"choices", json::array{json::object{{"index", 0},
                                                           {"message", std::move(message)},
                                                           {"logprobs", nullptr},
                                                           {"finish_reason", "stop"}}}},
                      {"usage", usage_object(prompt_tokens, completion_tokens)},
                      {"system_fingerprint", "fp_switchyard_mock"}};
    pieces.push_back(json::serialize(body));
    co_return std::make_unique<BufferedResponse>(200, "application/json", std::move(pieces));
  }

  bool include_usage = false;
  if (const json::value* options = fields.if_contains("stream_options"); options && options->is_object()) {
    const json::value* flag = options->get_object().if_contains("include_usage");
    include_usage = flag && flag->is_bool() && flag->get_bool();
  }
  auto chunk = [&](json::value delta, json::value finish_reason) {
    json::object frame{{"id", id},
                       {"object", "chat.completion.chunk"},
                       {"created", created},
                       {"model", model},
                       {"system_fingerprint", "fp_switchyard_mock"},
                       {"choices", json::array{json::object{{"index", 0},
                                                            {"delta", std::move(delta)},
                                                            {"logprobs", nullptr},
                                                            {"finish_reason", std::move(finish_reason)}}}}};
    if (include_usage) frame["usage"] = nullptr;
    return "data: " + json::serialize(frame) + "\n\n";
  };
  pieces.push_back(chunk(json::object{{"role", "assistant"}, {"content", ""}, {"refusal", nullptr}}, nullptr));
  for (const std::string& word : split_words(answer)) pieces.push_back(chunk(json::object{{"content", word}}, nullptr));
  pieces.push_back(chunk(json::object{}, "stop"));
  if (include_usage) {
    json::object last{{"id", id},
                      {"object", "chat.completion.chunk"},
                      {"created", created},
                      {"model", model},
                      {"system_fingerprint", "fp_switchyard_mock"},
                      {"choices", json::array{}},
                      {"usage", usage_object(prompt_tokens, completion_tokens)}};
    pieces.push_back("data: " + json::serialize(last) + "\n\n");
  }
  pieces.push_back("data: [DONE]\n\n");
  co_return std::make_unique<BufferedResponse>(200, "text/event-stream", std::move(pieces));
}

const pricing::ModelPrice* MockProvider::list_price(std::string_view) const {
  static const pricing::ModelPrice kFree = pricing::configured_price(0, 0, 0, 0);
  return &kFree;
}

}  // namespace switchyard::providers
