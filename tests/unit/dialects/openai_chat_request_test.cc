#include <boost/json/parse.hpp>
#include <gtest/gtest.h>

#include "dialects/openai/chat_request.h"

namespace switchyard::openai {
namespace {
namespace json = boost::json;

// The exact body the official openai-node 6.49.0 stream helper sent (fixtures/sdk-captured).
constexpr std::string_view kSdkStreamBody =
    R"({"model":"gpt-4o-mini","messages":[{"role":"user","content":"weather?"}],"stream_options":{"include_usage":true},)"
    R"("tools":[{"type":"function","function":{"name":"get_weather","description":"Get weather","parameters":)"
    R"({"type":"object","properties":{"city":{"type":"string"}},"required":["city"]},"strict":true}}],"stream":true})";

TEST(OpenAIChatRequest, ReadsWhatRoutingNeeds) {
  auto view = inspect_chat_request(kSdkStreamBody);
  ASSERT_TRUE(view) << view.error().message;
  EXPECT_EQ(view->model, "gpt-4o-mini");
  EXPECT_TRUE(view->stream);
  EXPECT_TRUE(view->include_usage);
}

TEST(OpenAIChatRequest, RejectsBadJsonAsInvalidRequest) {
  auto view = inspect_chat_request("{\"model\":");
  ASSERT_FALSE(view);
  EXPECT_EQ(view.error().status, 400);
  EXPECT_EQ(view.error().code, "invalid_json");
}

TEST(OpenAIChatRequest, NamesTheMissingParameter) {
  auto no_model = inspect_chat_request(R"({"messages":[{"role":"user","content":"hi"}]})");
  ASSERT_FALSE(no_model);
  EXPECT_EQ(no_model.error().param, "model");
  auto no_messages = inspect_chat_request(R"({"model":"m"})");
  ASSERT_FALSE(no_messages);
  EXPECT_EQ(no_messages.error().param, "messages");
  auto empty_messages = inspect_chat_request(R"({"model":"m","messages":[]})");
  ASSERT_FALSE(empty_messages);
  EXPECT_EQ(empty_messages.error().param, "messages");
  auto roleless = inspect_chat_request(R"({"model":"m","messages":[{"role":"user"},{"content":"x"}]})");
  ASSERT_FALSE(roleless);
  EXPECT_EQ(roleless.error().param, "messages[1]");
}

TEST(OpenAIChatRequest, RejectsWrongTypes) {
  EXPECT_FALSE(inspect_chat_request(R"([1,2])"));
  EXPECT_FALSE(inspect_chat_request(R"({"model":7,"messages":[{"role":"user"}]})"));
  EXPECT_FALSE(inspect_chat_request(R"({"model":"m","messages":[{"role":"user"}],"stream":"yes"})"));
}

TEST(OpenAIChatRequest, PassthroughRewritesOnlyTheModel) {
  std::string body = R"({"model":"fast","messages":[{"role":"user","content":"hi"}],"x_custom":{"a":[1,2]},"temperature":0.70})";
  auto view = inspect_chat_request(body);
  ASSERT_TRUE(view);
  EXPECT_EQ(passthrough_body(body, *view, "gpt-4o-mini"),
            R"({"model":"gpt-4o-mini","messages":[{"role":"user","content":"hi"}],"x_custom":{"a":[1,2]},"temperature":0.70})");
}

TEST(OpenAIChatRequest, PassthroughAsksForStreamUsageTheClientDidNotRequest) {
  std::string body = R"({"model":"fast","messages":[{"role":"user","content":"hi"}],"stream":true})";
  auto view = inspect_chat_request(body);
  ASSERT_TRUE(view);
  json::value sent = json::parse(passthrough_body(body, *view, "up"));
  EXPECT_EQ(sent.at("model"), "up");
  EXPECT_EQ(sent.at("stream_options").at("include_usage"), true);
}

TEST(OpenAIChatRequest, PassthroughKeepsOtherStreamOptions) {
  std::string body = R"({"model":"fast","messages":[{"role":"user"}],"stream":true,"stream_options":{"include_obfuscation":false}})";
  auto view = inspect_chat_request(body);
  ASSERT_TRUE(view);
  EXPECT_FALSE(view->include_usage);
  json::value sent = json::parse(passthrough_body(body, *view, "up"));
  EXPECT_EQ(sent.at("stream_options").at("include_usage"), true);
  EXPECT_EQ(sent.at("stream_options").at("include_obfuscation"), false);
}

TEST(OpenAIChatRequest, PassthroughLeavesNonStreamingBodiesAlone) {
  std::string body = R"({"model":"fast","messages":[{"role":"user"}]})";
  auto view = inspect_chat_request(body);
  ASSERT_TRUE(view);
  EXPECT_EQ(passthrough_body(body, *view, "fast"), body);
}

TEST(OpenAIChatRequest, PassthroughEscapesModelNames) {
  std::string body = R"({"model":"a","messages":[{"role":"user"}]})";
  auto view = inspect_chat_request(body);
  ASSERT_TRUE(view);
  json::value sent = json::parse(passthrough_body(body, *view, "we\"ird\\name"));
  EXPECT_EQ(sent.at("model"), "we\"ird\\name");
}

}  // namespace
}  // namespace switchyard::openai
