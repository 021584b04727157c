#include <gtest/gtest.h>

#include "../fixtures.h"
#include "dialects/openai/chat_stream.h"
#include "dialects/openai/usage.h"
#include "http/sse.h"

namespace switchyard::openai {
namespace {

struct Relayed {
  std::string bytes;
  int frames = 0;
};

Relayed relay(ChatStreamTap& tap, const std::string& stream) {
  http::SseFrameSplitter splitter;
  Relayed out;
  // Feed in awkward 7-byte pieces, as a network might deliver them.
  for (std::size_t i = 0; i < stream.size(); i += 7) {
    splitter.feed(std::string_view(stream).substr(i, 7));
    for (auto frame = splitter.next_frame(); !frame.empty(); frame = splitter.next_frame()) {
      if (tap.on_frame(frame)) {
        out.bytes.append(frame);
        ++out.frames;
      }
    }
  }
  return out;
}

TEST(OpenAIChatStream, RelaysEveryFrameUnchangedWhenTheClientAskedForUsage) {
  std::string stream = testing::read_fixture("openai/openai.chat.stream.text.sse");
  ChatStreamTap tap(true);
  Relayed out = relay(tap, stream);
  EXPECT_EQ(out.bytes, stream);
  EXPECT_TRUE(tap.usage().reported);
  EXPECT_EQ(tap.usage().input_tokens, 19);
  EXPECT_EQ(tap.usage().output_tokens, 3);
  EXPECT_EQ(tap.finish_reason(), "stop");
  EXPECT_TRUE(tap.saw_done());
  EXPECT_FALSE(tap.saw_error());
}

TEST(OpenAIChatStream, WithholdsOnlyTheUsageChunkTheGatewayAskedFor) {
  std::string stream = testing::read_fixture("openai/openai.chat.stream.text.sse");
  ChatStreamTap tap(false);
  Relayed out = relay(tap, stream);
  EXPECT_EQ(out.frames, 5);  // 6 frames upstream, minus the usage-only chunk
  EXPECT_EQ(out.bytes.find("\"choices\":[]"), std::string::npos);
  EXPECT_NE(out.bytes.find("data: [DONE]"), std::string::npos);
  EXPECT_EQ(tap.usage().input_tokens, 19);  // still metered
}

TEST(OpenAIChatStream, StreamsWithoutUsageAreRelayedWhole) {
  std::string stream = testing::read_fixture("openai/openai.chat.stream.text.no_usage.sse");
  ChatStreamTap tap(false);
  EXPECT_EQ(relay(tap, stream).bytes, stream);
  EXPECT_FALSE(tap.usage().reported);
}

TEST(OpenAIChatStream, FindsMembersWhateverTheSpacingAndIgnoresLookAlikesInText) {
  // Servers other than OpenAI's put spaces around colons; a model may write "usage": in its
  // answer, which arrives escaped inside a string.
  std::string stream =
      "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"say \\\"usage\\\": {1}\"},"
      "\"finish_reason\": null}], \"usage\": null}\n\n"
      "data: {\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\" :\t\"length\"}]}\n\n"
      "data: {\"choices\": [], \"usage\" : {\"prompt_tokens\": 5, \"completion_tokens\": 2}}\n\n"
      "data: [DONE]\n\n";
  ChatStreamTap tap(false);
  Relayed out = relay(tap, stream);
  EXPECT_EQ(out.frames, 3);  // the usage-only chunk was the gateway's to ask for, not the client's
  EXPECT_EQ(tap.finish_reason(), "length");
  EXPECT_TRUE(tap.usage().reported);
  EXPECT_EQ(tap.usage().input_tokens, 5);
  EXPECT_EQ(tap.usage().output_tokens, 2);
  EXPECT_FALSE(tap.saw_error());
}

TEST(OpenAIChatStream, NoticesInStreamErrors) {
  std::string stream = testing::read_fixture("openai/openai.chat.stream.error_midstream.sse");
  ChatStreamTap tap(false);
  EXPECT_EQ(relay(tap, stream).bytes, stream);
  EXPECT_TRUE(tap.saw_error());
}

TEST(OpenAIUsage, ReadsUsageFromACompleteResponse) {
  Usage usage = usage_from_response(testing::read_fixture("openai/openai.chat.response.text.json"));
  EXPECT_TRUE(usage.reported);
  EXPECT_EQ(usage.input_tokens, 19);
  EXPECT_EQ(usage.output_tokens, 3);
  EXPECT_EQ(usage.cache_read_tokens, 0);
  EXPECT_FALSE(usage_from_response("not json").reported);
}

TEST(OpenAIUsage, ReadsCacheAndReasoningDetails) {
  Usage usage = usage_from_response(
      R"({"usage":{"prompt_tokens":100,"completion_tokens":50,"prompt_tokens_details":{"cached_tokens":80},)"
      R"("completion_tokens_details":{"reasoning_tokens":30}}})");
  EXPECT_EQ(usage.cache_read_tokens, 80);
  EXPECT_EQ(usage.reasoning_tokens, 30);
}

TEST(OpenAIUsage, TakesCountsOnlyFromWhereTheyBelong) {
  // Same-named keys in other sections, nested deeper, or holding containers are not counts.
  Usage usage = usage_from_response(
      R"({"choices":[{"usage":{"prompt_tokens":7}}],"usage":{"extra":{"prompt_tokens":9,"cached_tokens":9},)"
      R"("completion_tokens":[4],"completion_tokens_details":{"cached_tokens":9,"reasoning_tokens":2},)"
      R"("prompt_tokens":12,"prompt_tokens_details":{"reasoning_tokens":9,"cached_tokens":5}}})");
  EXPECT_TRUE(usage.reported);
  EXPECT_EQ(usage.input_tokens, 12);
  EXPECT_EQ(usage.output_tokens, 0);
  EXPECT_EQ(usage.cache_read_tokens, 5);
  EXPECT_EQ(usage.reasoning_tokens, 2);
  EXPECT_FALSE(usage_from_response(R"({"usage":{"prompt_tokens":1)").reported);  // truncated
  EXPECT_FALSE(usage_from_response(R"({"usage":[1]})").reported);
}

TEST(OpenAIUsage, CountsAreIntegersAsWritten) {
  Usage usage = usage_from_response(R"({"usage":{"prompt_tokens":12.0,"completion_tokens":3,"total_tokens":"15"}})");
  EXPECT_TRUE(usage.reported);
  EXPECT_EQ(usage.input_tokens, 0);  // a double is not a count, as when the DOM read it
  EXPECT_EQ(usage.output_tokens, 3);
  EXPECT_FALSE(usage_from_response(R"({"usage":null})").reported);
}

}  // namespace
}  // namespace switchyard::openai
