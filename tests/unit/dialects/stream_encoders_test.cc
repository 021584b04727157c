// The per-token frames each stream encoder writes by hand (without a JSON DOM, for speed)
// must be exactly the bytes the providers send, escapes included.
#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <string>

#include "dialects/anthropic/messages_stream.h"
#include "dialects/gemini/generate_stream.h"
#include "dialects/openai/chat_stream.h"

namespace switchyard {
namespace {

const std::string kAwkwardText = "Hi \"there\"\n\\ \xC3\xA9 \x01";
const std::string kAwkwardJson = R"("Hi \"there\"\n\\ é \u0001")";

std::string encode(StreamEncoder& encoder, const canonical::StreamEvent& event) {
  std::string out;
  encoder.encode(event, out);
  return out;
}

TEST(StreamEncoders, OpenAITextChunk) {
  openai::ChatStreamEncoder encoder("gpt-x", true);
  std::string start = encode(encoder, canonical::MessageStart{"id1", "m", {}});
  // The id is the gateway's; take it from the first chunk.
  auto first = boost::json::parse(start.substr(6)).as_object();
  std::string id(first.at("id").as_string());
  std::string created = std::to_string(first.at("created").as_int64());
  EXPECT_EQ(start, R"(data: {"id":")" + id + R"(","object":"chat.completion.chunk","created":)" + created +
                       R"(,"model":"gpt-x","choices":[{"index":0,"delta":{"role":"assistant","content":"","refusal":null},)"
                       R"("logprobs":null,"finish_reason":null}],"usage":null})" "\n\n");
  encode(encoder, canonical::BlockStart{0, canonical::BlockKind::text, {}, {}});
  EXPECT_EQ(encode(encoder, canonical::BlockDelta{0, canonical::BlockDelta::Kind::text, kAwkwardText}),
            R"(data: {"id":")" + id + R"(","object":"chat.completion.chunk","created":)" + created +
                R"(,"model":"gpt-x","choices":[{"index":0,"delta":{"content":)" + kAwkwardJson +
                R"(},"logprobs":null,"finish_reason":null}],"usage":null})" "\n\n");
  EXPECT_EQ(encode(encoder, canonical::MessageDelta{canonical::StopReason::max_tokens, {}, {}}),
            R"(data: {"id":")" + id + R"(","object":"chat.completion.chunk","created":)" + created +
                R"(,"model":"gpt-x","choices":[{"index":0,"delta":{},"logprobs":null,"finish_reason":"length"}],"usage":null})"
                "\n\n");
}

TEST(StreamEncoders, AnthropicTextDelta) {
  anthropic::MessagesStreamEncoder encoder("claude-x");
  EXPECT_EQ(encode(encoder, canonical::BlockDelta{3, canonical::BlockDelta::Kind::text, kAwkwardText}),
            "event: content_block_delta\n"
            R"(data: {"type":"content_block_delta","index":3,"delta":{"type":"text_delta","text":)" + kAwkwardJson + "}}\n\n");
  EXPECT_EQ(encode(encoder, canonical::BlockDelta{1, canonical::BlockDelta::Kind::arguments, R"({"a":)"}),
            "event: content_block_delta\n"
            R"(data: {"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":"{\"a\":"}})"
            "\n\n");
}

TEST(StreamEncoders, GeminiTextChunk) {
  gemini::GenerateStreamEncoder encoder("gemini-x");
  encode(encoder, canonical::MessageStart{"resp-1", "m", {}});
  EXPECT_EQ(encode(encoder, canonical::BlockDelta{0, canonical::BlockDelta::Kind::text, kAwkwardText}),
            R"(data: {"candidates":[{"content":{"parts":[{"text":)" + kAwkwardJson +
                R"(}],"role":"model"},"index":0}],"modelVersion":"gemini-x","responseId":"resp-1"})" "\r\n\r\n");
  EXPECT_EQ(encode(encoder, canonical::BlockDelta{0, canonical::BlockDelta::Kind::thinking, "hm"}),
            R"(data: {"candidates":[{"content":{"parts":[{"text":"hm","thought":true}],"role":"model"},"index":0}],)"
            R"("modelVersion":"gemini-x","responseId":"resp-1"})" "\r\n\r\n");
}

}  // namespace
}  // namespace switchyard
