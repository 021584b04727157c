#include "dialects/anthropic/messages_response.h"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

namespace switchyard::anthropic {
namespace {
namespace json = boost::json;

// The DOM encoding encode_message replaced, kept as the reference its text must equal.
std::string dom_encode(const canonical::Response& response, std::string_view model) {
  json::array content;
  for (const auto& block : response.content) {
    if (auto* text = std::get_if<canonical::TextBlock>(&block)) {
      if (!text->text.empty()) content.push_back(json::object{{"type", "text"}, {"text", text->text}});
    } else if (auto* call = std::get_if<canonical::ToolCallBlock>(&block)) {
      json::error_code ec;
      json::value input = json::parse(call->arguments, ec);
      if (ec || !input.is_object()) input = json::object{};
      content.push_back(json::object{{"type", "tool_use"}, {"id", call->id}, {"name", call->name}, {"input", input}});
    } else if (auto* thinking = std::get_if<canonical::ThinkingBlock>(&block)) {
      if (!thinking->redacted_data.empty()) {
        content.push_back(json::object{{"type", "redacted_thinking"}, {"data", thinking->redacted_data}});
      } else {
        content.push_back(json::object{{"type", "thinking"}, {"thinking", thinking->text}, {"signature", thinking->signature}});
      }
    }
  }
  json::object body{{"id", response.id},
                    {"type", "message"},
                    {"role", "assistant"},
                    {"model", model},
                    {"content", std::move(content)},
                    {"stop_reason", stop_reason_name(response.stop_reason)},
                    {"stop_sequence", response.stop_sequence.empty() ? json::value(nullptr) : json::value(json::string(response.stop_sequence))},
                    {"usage", usage_object(response.usage)}};
  return json::serialize(body);
}

TEST(AnthropicEncodeMessage, WritesWhatSerializingTheDomWould) {
  canonical::Response response;
  response.id = "msg_01";
  response.content = {canonical::TextBlock{"Hello \"there\"\n\u00e9 \x01"},
                      canonical::TextBlock{""},
                      canonical::ToolCallBlock{"toolu_1", "get_weather", R"({"city": "Paris", "n": 1.50, "deep": [1, {"a": null}]})"},
                      canonical::ToolCallBlock{"toolu_2", "broken", R"({"city":)"},
                      canonical::ToolCallBlock{"toolu_3", "array", "[1,2]"},
                      canonical::ThinkingBlock{"let me think", "sig==", ""},
                      canonical::ThinkingBlock{"", "", "REDACTED"}};
  response.stop_reason = canonical::StopReason::stop_sequence;
  response.stop_sequence = "\nEND";
  response.usage = {120, 45, 80, 10, 5, true};
  EXPECT_EQ(encode_message(response, "claude-sonnet-4-5"), dom_encode(response, "claude-sonnet-4-5"));

  canonical::Response empty;
  empty.id = "msg_02";
  empty.stop_reason = canonical::StopReason::max_tokens;
  EXPECT_EQ(encode_message(empty, "m"), dom_encode(empty, "m"));
}

TEST(AnthropicEncodeMessage, GivesAnIdWithoutTheMessagePrefixOne) {
  canonical::Response response;
  response.id = "chatcmpl-abc";
  std::string out = encode_message(response, "m");
  json::value parsed = json::parse(out);
  EXPECT_TRUE(std::string_view(parsed.at("id").as_string()).starts_with("msg_"));
}

}  // namespace
}  // namespace switchyard::anthropic
