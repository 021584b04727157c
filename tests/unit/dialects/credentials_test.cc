#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "dialects/codec.h"
#include "http/message_head.h"
#include "http/server.h"

namespace switchyard {
namespace {

// A request to `target` with the given headers (empty values left out).
struct TestRequest {
  explicit TestRequest(std::string target, std::string authorization = {}, std::string x_api_key = {},
                       std::string x_goog_api_key = {}) {
    std::string text = "POST " + target + " HTTP/1.1\r\nhost: gateway\r\n";
    if (!authorization.empty()) text += "authorization: " + authorization + "\r\n";
    if (!x_api_key.empty()) text += "x-api-key: " + x_api_key + "\r\n";
    if (!x_goog_api_key.empty()) text += "x-goog-api-key: " + x_goog_api_key + "\r\n";
    text += "\r\n";
    std::size_t resume = 0;
    parsed = http::parse_request_head(text, 64 * 1024, head, resume).status == http::HeadStatus::complete;
  }
  http::ClientRequest request() const { return {head, {}}; }
  http::RequestHead head;
  bool parsed = false;
};

// The credential a request with these headers presents, read the way every dialect reads it.
std::string presented_credential(std::string authorization, std::string x_api_key, std::string x_goog_api_key) {
  TestRequest request("/v1/chat/completions", std::move(authorization), std::move(x_api_key),
                      std::move(x_goog_api_key));
  EXPECT_TRUE(request.parsed);
  return std::string(switchyard::presented_credential(request.request()));
}

TEST(PresentedCredential, ReadsEachSdksHeader) {
  EXPECT_EQ(presented_credential("Bearer sk-a", "", ""), "sk-a");
  EXPECT_EQ(presented_credential("bearer   sk-a ", "", ""), "sk-a");
  EXPECT_EQ(presented_credential("", "sk-anthropic", ""), "sk-anthropic");
  EXPECT_EQ(presented_credential("", "", "sk-gemini"), "sk-gemini");
  EXPECT_EQ(presented_credential("Basic abc", "", ""), "");
  EXPECT_EQ(presented_credential("", "", ""), "");
}

TEST(PresentedCredential, ABearerTokenWinsOverTheVendorHeaders) {
  EXPECT_EQ(presented_credential("Bearer sk-a", "sk-anthropic", "sk-gemini"), "sk-a");
  EXPECT_EQ(presented_credential("", "sk-anthropic", "sk-gemini"), "sk-anthropic");
}

TEST(PresentedCredential, TakesAKeyFromTheQueryAsAGeminiClientMaySendIt) {
  TestRequest with_query("/v1beta/models/m:generateContent?alt=sse&key=sk-query");
  ASSERT_TRUE(with_query.parsed);
  EXPECT_EQ(switchyard::presented_credential(with_query.request()), "sk-query");
  TestRequest lookalike("/v1beta/models/m:generateContent?monkey=x&keys=y");
  ASSERT_TRUE(lookalike.parsed);
  EXPECT_EQ(switchyard::presented_credential(lookalike.request()), "");
}

TEST(ModelListCodec, AnswersAnAnthropicSdkOnTheSharedPathInItsShape) {
  std::string text = "GET /v1/models HTTP/1.1\r\nhost: gateway\r\nanthropic-version: 2023-06-01\r\n\r\n";
  http::RequestHead head;
  std::size_t resume = 0;
  ASSERT_EQ(http::parse_request_head(text, 64 * 1024, head, resume).status, http::HeadStatus::complete);
  http::ClientRequest request{head, {}};
  EXPECT_EQ(model_list_codec(Dialect::openai_chat, true, request).dialect, Dialect::anthropic_messages);
  // Only on a path the dialects share: Gemini's own list keeps its shape.
  EXPECT_EQ(model_list_codec(Dialect::gemini, false, request).dialect, Dialect::gemini);
  TestRequest plain("/v1/models");
  EXPECT_EQ(model_list_codec(Dialect::openai_chat, true, plain.request()).dialect, Dialect::openai_chat);
}

}  // namespace
}  // namespace switchyard
