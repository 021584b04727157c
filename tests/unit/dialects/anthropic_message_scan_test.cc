#include "dialects/anthropic/message_scan.h"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "../random_json.h"
#include "describe_response.h"
#include "dialects/anthropic/messages_response.h"

namespace switchyard::anthropic {
namespace {

constexpr const char* kAnswer =
    R"({"id":"msg_013Zva2CMHLNnXjNJJKqJ2EF","type":"message","role":"assistant","model":"claude-sonnet-4-5-20250929",)"
    R"("content":[{"type":"text","text":"Hello! How can I help you today?","citations":null}],"stop_reason":"end_turn",)"
    R"("stop_sequence":null,"usage":{"cache_creation":{"ephemeral_5m_input_tokens":0,"ephemeral_1h_input_tokens":0},)"
    R"("cache_creation_input_tokens":2,"cache_read_input_tokens":5,"inference_geo":null,"server_tool_use":null,)"
    R"("service_tier":"standard","input_tokens":19,"output_tokens":20}})";

TEST(AnthropicMessageScan, ReadsAPlainTextAnswerAsTheDomReadingDoes) {
  ASSERT_TRUE(scan_text_message(kAnswer).has_value());  // the commonest answer takes the scan
  EXPECT_EQ(testing::describe(decode_message(kAnswer)), testing::describe(decode_message_tree(kAnswer)));
  EXPECT_EQ(testing::describe(decode_message(kAnswer)),
            "id=msg_013Zva2CMHLNnXjNJJKqJ2EF model=claude-sonnet-4-5-20250929 stop=0 seq= usage=yes/26/20/5/2/0 "
            "[text Hello! How can I help you today?]");
}

TEST(AnthropicMessageScan, LeavesWhatIsNotPlainTextToTheDomReading) {
  const char* bodies[] = {
      R"({"content":[{"type":"tool_use","id":"t1","name":"f","input":{"a":1}}],"stop_reason":"tool_use"})",
      R"({"content":[{"type":"text","text":"{}","name":"switchyard_json_response"}]})",
      R"({"content":[{"type":"text","text":"a"}],"content":[]})",
      R"({"content":[{"text":"a"}]})",
      R"({"content":"text"})",
      R"({"id":7,"content":[]})",
      R"({"content":[],"usage":{"input_tokens":1.5}})",
      R"([{"content":[]}])",
  };
  for (const char* body : bodies) {
    EXPECT_FALSE(scan_text_message(body).has_value()) << body;
    EXPECT_EQ(testing::describe(decode_message(body)), testing::describe(decode_message_tree(body))) << body;
  }
}

// A message the scan should take: text blocks only, each member once, with values of every
// shape the scan must read or skip.
std::string plain_message(std::mt19937& random) {
  auto pick = [&](std::vector<std::string> from) { return from[random() % from.size()]; };
  const std::vector<std::string> texts = {R"("Hello")", R"("")", R"("a\n\u00e9\"b\\")", "null", R"("\ud83d\ude00 ok")"};
  std::string content = "[";
  int blocks = static_cast<int>(random() % 4);
  for (int b = 0; b < blocks; ++b) {
    std::vector<std::pair<std::string, std::string>> block = {{"type", R"("text")"}, {"text", pick(texts)}};
    if (random() % 2) block.emplace_back("citations", pick({"null", "[]", R"([{"type":"x","cited_text":"y"}])"}));
    content += (b ? "," : "") + testing::shuffled_object(random, block);
  }
  content += "]";
  std::vector<std::pair<std::string, std::string>> usage;
  for (const char* key : {"input_tokens", "output_tokens", "cache_creation_input_tokens", "cache_read_input_tokens"}) {
    if (random() % 4) usage.emplace_back(key, pick({"0", "19", "-3", "18446744073709551615"}));
  }
  if (random() % 2) usage.emplace_back("cache_creation", R"({"ephemeral_5m_input_tokens":4})");
  if (random() % 2) usage.emplace_back("service_tier", pick({R"("standard")", "null"}));
  std::vector<std::pair<std::string, std::string>> root = {{"content", content}};
  if (random() % 4) root.emplace_back("id", pick({R"("msg_1")", "null", R"("m\u0073g")"}));
  if (random() % 4) root.emplace_back("model", pick({R"("claude-x")", "null"}));
  if (random() % 4) root.emplace_back("stop_reason", pick({R"("end_turn")", R"("max_tokens")", R"("refusal")", "null"}));
  if (random() % 2) root.emplace_back("stop_sequence", pick({R"("STOP")", "null"}));
  if (random() % 4) root.emplace_back("usage", testing::shuffled_object(random, usage));
  if (random() % 2) root.emplace_back("type", R"("message")");
  if (random() % 2) root.emplace_back("container", pick({"null", R"({"id":"c","content":[{"type":"tool_use"}]})"}));
  return testing::shuffled_object(random, root);
}

TEST(AnthropicMessageScan, AgreesWithTheDomReadingOnRandomMessages) {
  std::mt19937 random(20261202);
  const char* block_keys[] = {"type", "text", "citations", "id", "name", "input", "thinking"};
  const char* block_values[] = {R"("text")", R"("text")", R"("tool_use")", R"("thinking")", R"("hi \u00e9\n\"x\"")",
                                "null", "3", "[]", R"({"a":[1,{"b":"c"}]})", R"([{"type":"text"}])", R"("")",
                                R"("switchyard_json_response")"};
  const char* usage_keys[] = {"input_tokens", "output_tokens", "cache_creation_input_tokens", "cache_read_input_tokens",
                              "cache_creation", "service_tier"};
  const char* usage_values[] = {"0", "19", "-4", "18446744073709551615", "2.5", "null", R"("standard")",
                                R"({"input_tokens":99})", "[7]", "true"};
  const char* root_keys[] = {"id", "model", "content", "stop_reason", "stop_sequence", "usage", "type", "role"};
  int scanned = 0;
  for (int round = 0; round < 6000; ++round) {
    std::string body;
    if (round % 2 == 0) {
      body = plain_message(random);
    } else {  // anything: repeated members, other blocks, values of the wrong kind
      std::vector<std::string> contents;
      for (int i = 0; i < 3; ++i) {
        std::string content = "[";
        int blocks = std::uniform_int_distribution<int>(0, 3)(random);
        for (int b = 0; b < blocks; ++b) {
          if (b) content += ",";
          content += random() % 12 == 0 ? std::string("\"loose\"") : testing::random_object(random, block_keys, block_values, 4);
        }
        contents.push_back(content + "]");
      }
      std::string usage = testing::random_object(random, usage_keys, usage_values, 6);
      std::vector<const char*> root_values = {R"("msg_1")", R"("claude-x")", R"("end_turn")", R"("max_tokens")",
                                              R"("stop_sequence")", R"("tool_use")", "null", "1", "{}", usage.c_str()};
      for (const std::string& content : contents) root_values.push_back(content.c_str());
      body = testing::random_object(random, root_keys, root_values, 8);
    }
    ASSERT_EQ(testing::describe(decode_message(body)), testing::describe(decode_message_tree(body))) << body;
    if (scan_text_message(body)) ++scanned;
  }
  EXPECT_GT(scanned, 2500) << "too few random messages took the scan to compare it";
}

}  // namespace
}  // namespace switchyard::anthropic
