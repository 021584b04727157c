#include "dialects/routes.h"

#include <gtest/gtest.h>

namespace switchyard {
namespace {

TEST(Routes, MatchesEachDialectsOperations) {
  EXPECT_EQ(match_route("POST", "/v1/chat/completions").operation, Operation::generate);
  EXPECT_EQ(match_route("POST", "/v1/chat/completions").dialect, Dialect::openai_chat);
  EXPECT_EQ(match_route("POST", "/v1/messages").dialect, Dialect::anthropic_messages);
  EXPECT_EQ(match_route("POST", "/v1/messages/count_tokens").operation, Operation::count_tokens);
  EXPECT_EQ(match_route("GET", "/v1/models").operation, Operation::list_models);
  EXPECT_EQ(match_route("GET", "/v1beta/models").dialect, Dialect::gemini);
  EXPECT_EQ(match_route("GET", "/healthz").operation, Operation::healthz);
  EXPECT_EQ(match_route("GET", "/readyz").operation, Operation::readyz);
}

TEST(Routes, ReadsTheModelAndStreamFromGeminiPaths) {
  auto generate = match_route("POST", "/v1beta/models/gemini-2.5-flash:generateContent");
  EXPECT_EQ(generate.operation, Operation::generate);
  EXPECT_EQ(generate.model, "gemini-2.5-flash");
  EXPECT_FALSE(generate.stream);
  auto stream = match_route("POST", "/v1beta/models/oai/gpt-4o:streamGenerateContent?alt=sse");
  EXPECT_TRUE(stream.stream);
  EXPECT_EQ(stream.model, "oai/gpt-4o");
  EXPECT_EQ(match_route("POST", "/v1beta/models/m:batchEmbedContents").operation, Operation::embed);
  EXPECT_EQ(match_route("POST", "/v1beta/models/m:countTokens").operation, Operation::count_tokens);
  EXPECT_EQ(match_route("POST", "/v1beta/models/m:unknownMethod").operation, Operation::unknown_path);
  EXPECT_EQ(match_route("POST", "/v1beta/models/m:unknownMethod").dialect, Dialect::gemini);
}

TEST(Routes, IgnoresQueryAndTrailingSlash) {
  EXPECT_EQ(match_route("GET", "/v1/models?key=x").operation, Operation::list_models);
  EXPECT_EQ(match_route("POST", "/v1/chat/completions/").operation, Operation::generate);
}

TEST(Routes, DistinguishesWrongMethodFromUnknownPath) {
  auto wrong = match_route("GET", "/v1/chat/completions");
  EXPECT_EQ(wrong.operation, Operation::wrong_method);
  EXPECT_EQ(wrong.allowed_method, "POST");
  EXPECT_EQ(match_route("GET", "/v1beta/models/m:generateContent").operation, Operation::wrong_method);
  EXPECT_EQ(match_route("POST", "/v1/nothing").operation, Operation::unknown_path);
}

}  // namespace
}  // namespace switchyard
