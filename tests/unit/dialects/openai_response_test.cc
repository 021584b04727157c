#include "dialects/openai/chat_response.h"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

namespace switchyard::openai {
namespace {
namespace json = boost::json;

json::object dom_usage(const Usage& usage) {
  return json::object{{"prompt_tokens", usage.input_tokens},
                      {"completion_tokens", usage.output_tokens},
                      {"total_tokens", usage.input_tokens + usage.output_tokens},
                      {"prompt_tokens_details", json::object{{"cached_tokens", usage.cache_read_tokens}}},
                      {"completion_tokens_details", json::object{{"reasoning_tokens", usage.reasoning_tokens}}}};
}

// The DOM encoding encode_chat_response replaced, kept as the reference its text must
// equal. `created` is the encoder's own clock reading, taken from its output.
std::string dom_encode(const canonical::Response& response, std::string_view model, std::int64_t created) {
  std::string text;
  json::array calls;
  for (const auto& block : response.content) {
    if (auto* piece = std::get_if<canonical::TextBlock>(&block)) text += piece->text;
    if (auto* call = std::get_if<canonical::ToolCallBlock>(&block)) {
      calls.push_back(json::object{{"id", call->id},
                                   {"type", "function"},
                                   {"function", json::object{{"name", call->name}, {"arguments", call->arguments}}}});
    }
  }
  json::object message{{"role", "assistant"}};
  message["content"] = text.empty() && !calls.empty() ? json::value(nullptr) : json::value(json::string(text));
  message["refusal"] = nullptr;
  if (!calls.empty()) message["tool_calls"] = std::move(calls);
  message["annotations"] = json::array{};
  json::object body{{"id", response.id.starts_with("chatcmpl-") ? response.id : "chatcmpl-" + response.id},
                    {"object", "chat.completion"},
                    {"created", created},
                    {"model", model},
                    {"choices", json::array{json::object{{"index", 0},
                                                         {"message", std::move(message)},
                                                         {"logprobs", nullptr},
                                                         {"finish_reason", finish_reason_for(response.stop_reason)}}}}};
  body["usage"] = dom_usage(response.usage);
  return json::serialize(body);
}

void expect_dom_bytes(const canonical::Response& response, std::string_view model) {
  std::string out = encode_chat_response(response, model);
  std::int64_t created = json::parse(out).at("created").as_int64();
  EXPECT_EQ(out, dom_encode(response, model, created));
}

TEST(OpenAIEncodeChatResponse, WritesWhatSerializingTheDomWould) {
  canonical::Response text;
  text.id = "msg_01";
  text.content = {canonical::TextBlock{"Hello \"there\"\n\u00e9 \x01"}, canonical::TextBlock{" again"},
                  canonical::ThinkingBlock{"not relayed", "sig", ""}};
  text.stop_reason = canonical::StopReason::max_tokens;
  text.usage = {120, 45, 80, 10, 5, true};
  expect_dom_bytes(text, "gpt-4o");

  canonical::Response calls;
  calls.id = "chatcmpl-keep";
  calls.content = {canonical::ToolCallBlock{"call_1", "get_weather", R"({"city": "Paris"})"},
                   canonical::ToolCallBlock{"call_2", "quote\"d", "not json"}};
  calls.stop_reason = canonical::StopReason::tool_use;
  expect_dom_bytes(calls, "m\"odel");

  canonical::Response both;
  both.content = {canonical::TextBlock{"Let me look."}, canonical::ToolCallBlock{"call_3", "search", "{}"}};
  expect_dom_bytes(both, "m");

  expect_dom_bytes(canonical::Response{}, "");
}

}  // namespace
}  // namespace switchyard::openai
