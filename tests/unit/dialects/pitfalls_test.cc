// The translation pitfalls listed in shared/reference/wire-formats.md section 8, one test
// each where the unit level can show it (the SDK-level ones live in tests/conformance/).
#include <boost/json/parse.hpp>
#include <gtest/gtest.h>

#include "dialects/codec.h"

namespace switchyard {
namespace {
namespace json = boost::json;

canonical::Request openai_request(std::string_view body) {
  auto request = codec_for(Dialect::openai_chat).decode_request(body, "", false);
  EXPECT_TRUE(request) << (request ? "" : request.error().message);
  return request ? request.value() : canonical::Request{};
}

canonical::EncodeOptions options(canonical::UnsupportedParams unsupported = canonical::UnsupportedParams::reject) {
  canonical::EncodeOptions out;
  out.upstream_model = "upstream";
  out.provider = "p";
  out.unsupported = unsupported;
  return out;
}

json::value encode(Dialect target, const canonical::Request& request,
                   canonical::UnsupportedParams unsupported = canonical::UnsupportedParams::reject) {
  auto body = codec_for(target).encode_request(request, options(unsupported));
  EXPECT_TRUE(body) << (body ? "" : body.error().message);
  return body ? json::parse(body.value()) : json::value();
}

constexpr std::string_view kParallelToolResults = R"({"model":"m","messages":[
  {"role":"user","content":"weather in Paris and Rome?"},
  {"role":"assistant","content":null,"tool_calls":[
    {"id":"call_1","type":"function","function":{"name":"get_weather","arguments":"{\"city\":\"Paris\"}"}},
    {"id":"call.2","type":"function","function":{"name":"get_weather","arguments":"{\"city\":\"Rome\"}"}}]},
  {"role":"tool","tool_call_id":"call_1","content":"21C"},
  {"role":"tool","tool_call_id":"call.2","content":"{\"temp\":25}"}],
  "tools":[{"type":"function","function":{"name":"get_weather","parameters":{"type":"object"}}}]})";

TEST(Pitfalls, AnthropicGetsAllToolResultsOfOneTurnInOneUserMessage) {
  json::value sent = encode(Dialect::anthropic_messages, openai_request(kParallelToolResults));
  const json::array& messages = sent.at("messages").as_array();
  ASSERT_EQ(messages.size(), 3u);
  EXPECT_EQ(messages[2].at("role"), "user");
  ASSERT_EQ(messages[2].at("content").as_array().size(), 2u);
  EXPECT_EQ(messages[2].at("content").at(0).at("type"), "tool_result");
  // Ids are sanitised to Anthropic's pattern, identically on the call and its result.
  EXPECT_EQ(messages[1].at("content").at(1).at("id"), "call_2");
  EXPECT_EQ(messages[2].at("content").at(1).at("tool_use_id"), "call_2");
}

TEST(Pitfalls, GeminiGetsNamedObjectFunctionResponsesMatchingTheCalls) {
  json::value sent = encode(Dialect::gemini, openai_request(kParallelToolResults));
  const json::array& contents = sent.at("contents").as_array();
  ASSERT_EQ(contents.size(), 3u);
  EXPECT_EQ(contents[1].at("role"), "model");
  EXPECT_EQ(contents[1].at("parts").as_array().size(), 2u);
  const json::array& responses = contents[2].at("parts").as_array();
  ASSERT_EQ(responses.size(), 2u);
  EXPECT_EQ(responses[0].at("functionResponse").at("name"), "get_weather");
  EXPECT_EQ(responses[0].at("functionResponse").at("response").at("result"), "21C");  // wrapped: must be an object
  EXPECT_EQ(responses[1].at("functionResponse").at("response").at("temp"), 25);
}

TEST(Pitfalls, GeminiFunctionCallsGetIdsAndResponsesFindThem) {
  auto request = codec_for(Dialect::gemini).decode_request(R"({"contents":[
    {"role":"user","parts":[{"text":"weather?"}]},
    {"role":"model","parts":[{"functionCall":{"name":"get_weather","args":{"city":"Paris"}}}]},
    {"role":"user","parts":[{"functionResponse":{"name":"get_weather","response":{"temp":21}}}]}]})",
                                                           "gemini-2.5-flash", false);
  ASSERT_TRUE(request) << request.error().message;
  json::value sent = encode(Dialect::openai_chat, request.value());
  const json::array& messages = sent.at("messages").as_array();
  ASSERT_EQ(messages.size(), 3u);
  std::string id(messages[1].at("tool_calls").at(0).at("id").as_string());
  EXPECT_FALSE(id.empty());
  EXPECT_EQ(messages[2].at("role"), "tool");
  EXPECT_EQ(messages[2].at("tool_call_id").as_string(), id);
}

TEST(Pitfalls, AnthropicTemperatureIsClampedAndEmptyTextDropped) {
  json::value sent = encode(Dialect::anthropic_messages,
                            openai_request(R"({"model":"m","temperature":1.7,"messages":[
                              {"role":"user","content":"hi"},{"role":"assistant","content":""},
                              {"role":"user","content":"again"}]})"));
  EXPECT_EQ(sent.at("temperature"), 1.0);
  // The empty assistant turn vanishes and the two user turns merge.
  ASSERT_EQ(sent.at("messages").as_array().size(), 1u);
  EXPECT_EQ(sent.at("messages").at(0).at("content").as_array().size(), 2u);
}

TEST(Pitfalls, WhitespaceStopSequencesAreRefusedForAnthropicByName) {
  auto request = openai_request(R"({"model":"m","stop":["\n"," END"],"messages":[{"role":"user","content":"hi"}]})");
  auto refused = codec_for(Dialect::anthropic_messages).encode_request(request, options());
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.error().message.find("whitespace-only"), std::string::npos);
  json::value dropped = encode(Dialect::anthropic_messages, request, canonical::UnsupportedParams::drop);
  ASSERT_EQ(dropped.at("stop_sequences").as_array().size(), 1u);
  EXPECT_EQ(dropped.at("stop_sequences").at(0), " END");
}

TEST(Pitfalls, GeminiRefusesATrailingAssistantTurn) {
  auto request = openai_request(R"({"model":"m","messages":[{"role":"user","content":"hi"},{"role":"assistant","content":"Sure,"}]})");
  auto refused = codec_for(Dialect::gemini).encode_request(request, options());
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.error().message.find("prefill"), std::string::npos);
}

TEST(Pitfalls, GeminiTakesNoArbitraryImageUrls) {
  auto request = openai_request(R"({"model":"m","messages":[{"role":"user","content":[
    {"type":"image_url","image_url":{"url":"https://example.com/cat.png"}}]}]})");
  auto refused = codec_for(Dialect::gemini).encode_request(request, options(canonical::UnsupportedParams::drop));
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().status, 400);
  json::value inline_image = encode(Dialect::gemini, openai_request(R"({"model":"m","messages":[{"role":"user","content":[
    {"type":"image_url","image_url":{"url":"data:image/png;base64,iVBORw0KGgo="}}]}]})"));
  EXPECT_EQ(inline_image.at("contents").at(0).at("parts").at(0).at("inlineData").at("mimeType"), "image/png");
}

TEST(Pitfalls, GeminiStopWithFunctionCallsIsToolCallsForOpenAIClients) {
  auto response = codec_for(Dialect::gemini).decode_response(R"({"candidates":[{"content":{"role":"model","parts":[
    {"functionCall":{"name":"f","args":{}}}]},"finishReason":"STOP"}],"usageMetadata":{"promptTokenCount":3,
    "candidatesTokenCount":2,"thoughtsTokenCount":5,"totalTokenCount":10}})");
  ASSERT_TRUE(response);
  json::value client = json::parse(codec_for(Dialect::openai_chat).encode_response(response.value(), "m"));
  EXPECT_EQ(client.at("choices").at(0).at("finish_reason"), "tool_calls");
  // completion_tokens includes thinking, as OpenAI counts reasoning.
  EXPECT_EQ(client.at("usage").at("completion_tokens"), 7);
  EXPECT_EQ(client.at("usage").at("completion_tokens_details").at("reasoning_tokens"), 5);
}

TEST(Pitfalls, AnthropicInputUsageAddsCacheTokensBackForOtherClients) {
  auto response = codec_for(Dialect::anthropic_messages).decode_response(R"({"id":"msg_1","type":"message","role":"assistant",
    "content":[{"type":"text","text":"hi"}],"stop_reason":"end_turn","usage":{"input_tokens":10,
    "cache_read_input_tokens":100,"cache_creation_input_tokens":5,"output_tokens":3}})");
  ASSERT_TRUE(response);
  json::value client = json::parse(codec_for(Dialect::openai_chat).encode_response(response.value(), "m"));
  EXPECT_EQ(client.at("usage").at("prompt_tokens"), 115);
  EXPECT_EQ(client.at("usage").at("prompt_tokens_details").at("cached_tokens"), 100);
  json::value back = json::parse(codec_for(Dialect::anthropic_messages).encode_response(response.value(), "m"));
  EXPECT_EQ(back.at("usage").at("input_tokens"), 10);
}

TEST(Pitfalls, OpenAIStreamToolIndexesAreDenseWhateverTheBlockIndexes) {
  std::string out;
  auto encoder = codec_for(Dialect::openai_chat).make_stream_encoder("m", false);
  encoder->encode(canonical::MessageStart{"id", "m", {}}, out);
  encoder->encode(canonical::BlockStart{0, canonical::BlockKind::text, {}, {}}, out);
  encoder->encode(canonical::BlockDelta{0, canonical::BlockDelta::Kind::text, "Let me check."}, out);
  encoder->encode(canonical::BlockStop{0}, out);
  encoder->encode(canonical::BlockStart{1, canonical::BlockKind::tool_call, "toolu_1", "f"}, out);
  encoder->encode(canonical::BlockDelta{1, canonical::BlockDelta::Kind::arguments, "{}"}, out);
  encoder->encode(canonical::BlockStart{2, canonical::BlockKind::tool_call, "toolu_2", "g"}, out);
  EXPECT_NE(out.find(R"("tool_calls":[{"index":0,"id":"toolu_1","type":"function")"), std::string::npos) << out;
  EXPECT_NE(out.find(R"("tool_calls":[{"index":1,"id":"toolu_2")"), std::string::npos) << out;
  EXPECT_EQ(out.find(R"("index":2)"), std::string::npos) << out;
}

}  // namespace
}  // namespace switchyard
