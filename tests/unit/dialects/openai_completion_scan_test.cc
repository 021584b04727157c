#include "dialects/openai/completion_scan.h"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "../random_json.h"
#include "describe_response.h"
#include "dialects/openai/chat_response.h"

namespace switchyard::openai {
namespace {

constexpr const char* kAnswer =
    R"({"id":"chatcmpl-bench","object":"chat.completion","created":1741569952,"model":"gpt-4o-mini-2024-07-18",)"
    R"("choices":[{"index":0,"message":{"role":"assistant","content":"Hello! How can I help you today?",)"
    R"("refusal":null,"annotations":[]},"logprobs":null,"finish_reason":"stop"}],"usage":{"prompt_tokens":19,)"
    R"("completion_tokens":20,"total_tokens":39,"prompt_tokens_details":{"cached_tokens":3,"audio_tokens":0},)"
    R"("completion_tokens_details":{"reasoning_tokens":4,"audio_tokens":0,"accepted_prediction_tokens":0,)"
    R"("rejected_prediction_tokens":0}},"service_tier":"default","system_fingerprint":"fp_06737a9306"})";

TEST(OpenAICompletionScan, ReadsAPlainTextAnswerAsTheDomReadingDoes) {
  ASSERT_TRUE(scan_text_completion(kAnswer).has_value());  // the commonest answer takes the scan
  EXPECT_EQ(testing::describe(decode_chat_response(kAnswer)), testing::describe(decode_chat_response_tree(kAnswer)));
  EXPECT_EQ(testing::describe(decode_chat_response(kAnswer)),
            "id=chatcmpl-bench model=gpt-4o-mini-2024-07-18 stop=0 seq= usage=yes/19/20/3/0/4 "
            "[text Hello! How can I help you today?]");
}

TEST(OpenAICompletionScan, LeavesWhatIsNotPlainTextToTheDomReading) {
  const char* bodies[] = {
      R"({"choices":[{"message":{"tool_calls":[{"id":"c","function":{"name":"f","arguments":"{}"}}]}}]})",
      R"({"choices":[{"message":{"content":[{"type":"text","text":"parts"}]}}]})",
      R"({"choices":[{"message":{"content":"a","content":"b"}}]})",
      R"({"choices":[]})",
      R"({"choices":["x"]})",
      R"({"choices":null})",
      R"({"id":7,"choices":[{}]})",
      R"({"choices":[{}],"usage":{"prompt_tokens":1.5}})",
      R"([{"choices":[{}]}])",
  };
  for (const char* body : bodies) {
    EXPECT_FALSE(scan_text_completion(body).has_value()) << body;
    EXPECT_EQ(testing::describe(decode_chat_response(body)), testing::describe(decode_chat_response_tree(body))) << body;
  }
}

// A completion the scan should take, each member once, in a random order.
std::string plain_completion(std::mt19937& random) {
  auto pick = [&](std::vector<std::string> from) { return from[random() % from.size()]; };
  const std::vector<std::string> texts = {R"("Hello")", R"("")", R"("a\n\u00e9\"b\\")", "null", R"("\ud83d\ude00")"};
  std::vector<std::pair<std::string, std::string>> message;
  if (random() % 4) message.emplace_back("content", pick(texts));
  if (random() % 3 == 0) message.emplace_back("refusal", pick(texts));
  if (random() % 3 == 0) message.emplace_back("reasoning_content", pick(texts));
  if (random() % 2) message.emplace_back("role", R"("assistant")");
  if (random() % 2) message.emplace_back("annotations", pick({"[]", R"([{"type":"url_citation","url":"u"}])"}));
  if (random() % 4 == 0) message.emplace_back("tool_calls", "null");
  std::vector<std::pair<std::string, std::string>> choice;
  if (random() % 5) choice.emplace_back("message", random() % 8 ? testing::shuffled_object(random, message) : "null");
  if (random() % 4) choice.emplace_back("finish_reason", pick({R"("stop")", R"("length")", R"("content_filter")", "null"}));
  if (random() % 2) choice.emplace_back("index", "0");
  if (random() % 2) choice.emplace_back("logprobs", pick({"null", R"({"content":[{"token":"x"}]})"}));
  std::string choices = "[" + testing::shuffled_object(random, choice);
  if (random() % 4 == 0) choices += R"(,{"message":{"tool_calls":[{}]}},"stray",7)";  // only the first is read
  choices += "]";
  std::vector<std::pair<std::string, std::string>> usage;
  if (random() % 4) usage.emplace_back("prompt_tokens", pick({"0", "19", "-3", "18446744073709551615"}));
  if (random() % 4) usage.emplace_back("completion_tokens", pick({"0", "20"}));
  if (random() % 2) usage.emplace_back("total_tokens", "39");
  if (random() % 2) usage.emplace_back("prompt_tokens_details", pick({"null", R"({"cached_tokens":3})", R"({"audio_tokens":1})"}));
  if (random() % 2) {
    usage.emplace_back("completion_tokens_details", pick({"null", R"({"reasoning_tokens":4,"audio_tokens":0})", "{}"}));
  }
  std::vector<std::pair<std::string, std::string>> root = {{"choices", choices}};
  if (random() % 4) root.emplace_back("id", pick({R"("chatcmpl-1")", "null", R"("c\u0068at")"}));
  if (random() % 4) root.emplace_back("model", pick({R"("gpt-x")", "null"}));
  if (random() % 4) root.emplace_back("usage", testing::shuffled_object(random, usage));
  if (random() % 2) root.emplace_back("object", R"("chat.completion")");
  if (random() % 2) root.emplace_back("created", "1741569952");
  if (random() % 2) root.emplace_back("service_tier", pick({R"("default")", "null"}));
  return testing::shuffled_object(random, root);
}

TEST(OpenAICompletionScan, AgreesWithTheDomReadingOnRandomCompletions) {
  std::mt19937 random(20261202);
  const char* message_keys[] = {"content", "refusal", "reasoning_content", "tool_calls", "role"};
  const char* message_values[] = {R"("hi")", R"("")", "null", "3", "[]", R"([{"type":"text","text":"p"}])",
                                  R"([{"id":"c","function":{"name":"f","arguments":"{}"}}])", R"({"a":1})"};
  const char* usage_keys[] = {"prompt_tokens", "completion_tokens", "prompt_tokens_details", "completion_tokens_details"};
  const char* usage_values[] = {"0", "19", "2.5", "null", R"("7")", R"({"cached_tokens":3})", R"({"reasoning_tokens":[1]})", "true"};
  const char* root_keys[] = {"id", "model", "choices", "usage", "object"};
  int scanned = 0;
  for (int round = 0; round < 6000; ++round) {
    std::string body;
    if (round % 2 == 0) {
      body = plain_completion(random);
    } else {  // anything: repeated members, tool calls, values of the wrong kind
      std::string message = testing::random_object(random, message_keys, message_values, 4);
      std::string choices = "[{\"message\":" + message + ",\"finish_reason\":\"stop\"}]";
      std::string usage = testing::random_object(random, usage_keys, usage_values, 4);
      const char* root_values[] = {R"("id")", "null", "1", "[]", "[1]", "{}", usage.c_str(), choices.c_str(),
                                   choices.c_str(), choices.c_str()};
      body = testing::random_object(random, root_keys, root_values, 6);
    }
    ASSERT_EQ(testing::describe(decode_chat_response(body)), testing::describe(decode_chat_response_tree(body))) << body;
    if (scan_text_completion(body)) ++scanned;
  }
  EXPECT_GT(scanned, 2500) << "too few random completions took the scan to compare it";
}

}  // namespace
}  // namespace switchyard::openai
