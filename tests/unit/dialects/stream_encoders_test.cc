// The per-token frames each stream encoder writes by hand (without a JSON DOM, for speed)
// must be exactly the bytes the providers send, escapes included.
#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <string>

#include "dialects/anthropic/messages_response.h"
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

// The DOM frames the Anthropic encoder wrote before it wrote text, kept as the reference
// its bytes must equal.
std::string dom_frame(std::string_view type, const boost::json::object& data) {
  return "event: " + std::string(type) + "\ndata: " + boost::json::serialize(data) + "\n\n";
}

TEST(StreamEncoders, AnthropicFramesAreWhatTheirDomGave) {
  namespace json = boost::json;
  anthropic::MessagesStreamEncoder encoder("claude-\"x\"");
  Usage usage;
  usage.input_tokens = 30;
  usage.cache_read_tokens = 5;
  usage.cache_write_tokens = 2;
  usage.output_tokens = 7;
  json::object message{{"id", "msg_1"}, {"type", "message"}, {"role", "assistant"}, {"model", "claude-\"x\""},
                       {"content", json::array{}}, {"stop_reason", nullptr}, {"stop_sequence", nullptr},
                       {"usage", anthropic::usage_object(usage)}};
  EXPECT_EQ(encode(encoder, canonical::MessageStart{"msg_1", "m", usage}),
            dom_frame("message_start", {{"type", "message_start"}, {"message", message}}));
  EXPECT_EQ(encode(encoder, canonical::BlockStart{0, canonical::BlockKind::text, {}, {}}),
            dom_frame("content_block_start", {{"type", "content_block_start"}, {"index", std::size_t{0}},
                                              {"content_block", {{"type", "text"}, {"text", ""}}}}));
  EXPECT_EQ(encode(encoder, canonical::BlockStart{12, canonical::BlockKind::tool_call, "toolu_\n1", "get_weather"}),
            dom_frame("content_block_start",
                      {{"type", "content_block_start"}, {"index", std::size_t{12}},
                       {"content_block", {{"type", "tool_use"}, {"id", "toolu_\n1"}, {"name", "get_weather"}, {"input", json::object{}}}}}));
  EXPECT_EQ(encode(encoder, canonical::BlockStart{1, canonical::BlockKind::thinking, {}, {}}),
            dom_frame("content_block_start", {{"type", "content_block_start"}, {"index", std::size_t{1}},
                                              {"content_block", {{"type", "thinking"}, {"thinking", ""}, {"signature", ""}}}}));
  EXPECT_EQ(encode(encoder, canonical::BlockStop{12}),
            dom_frame("content_block_stop", {{"type", "content_block_stop"}, {"index", std::size_t{12}}}));
  EXPECT_EQ(encode(encoder, canonical::MessageDelta{canonical::StopReason::stop_sequence, "\xC3\xA9nd\"", usage}),
            dom_frame("message_delta", {{"type", "message_delta"},
                                        {"delta", {{"stop_reason", "stop_sequence"}, {"stop_sequence", "\xC3\xA9nd\""}}},
                                        {"usage", anthropic::usage_object(usage)}}));
  EXPECT_EQ(encode(encoder, canonical::MessageDelta{canonical::StopReason::max_tokens, {}, {}}),
            dom_frame("message_delta", {{"type", "message_delta"},
                                        {"delta", {{"stop_reason", "max_tokens"}, {"stop_sequence", nullptr}}},
                                        {"usage", anthropic::usage_object(Usage{})}}));
  EXPECT_EQ(encode(encoder, canonical::MessageStop{}), dom_frame("message_stop", {{"type", "message_stop"}}));
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
