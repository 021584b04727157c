#include <boost/json/parse.hpp>
#include <gtest/gtest.h>

#include "../fixtures.h"
#include "dialects/anthropic/error.h"
#include "dialects/openai/error.h"

namespace switchyard::openai {
namespace {
namespace json = boost::json;

TEST(OpenAIError, HasTheShapeOfTheRealApi) {
  // Same keys as a recorded OpenAI 404, so the SDK reads type, code and param alike.
  json::value real = json::parse(testing::read_fixture("openai/openai.error.404.json"));
  json::value ours = json::parse(
      error_body(make_error(ErrorKind::not_found, "The model 'x' does not exist", "model_not_found", "model")));
  ASSERT_TRUE(ours.at("error").is_object());
  for (const auto& field : real.at("error").get_object()) {
    EXPECT_TRUE(ours.at("error").get_object().contains(field.key())) << field.key();
  }
  EXPECT_EQ(ours.at("error").at("type"), "invalid_request_error");
  EXPECT_EQ(ours.at("error").at("code"), "model_not_found");
  EXPECT_EQ(ours.at("error").at("param"), "model");
}

TEST(OpenAIError, EmptyCodeAndParamAreNull) {
  json::value ours = json::parse(error_body(make_error(ErrorKind::upstream_timeout, "timed out")));
  EXPECT_TRUE(ours.at("error").at("code").is_null());
  EXPECT_TRUE(ours.at("error").at("param").is_null());
  EXPECT_EQ(ours.at("error").at("type"), "server_error");
}

TEST(OpenAIError, StreamFrameIsOneCompleteDataEvent) {
  std::string frame = error_frame(make_error(ErrorKind::upstream_unreachable, "gone", "upstream_truncated"));
  ASSERT_TRUE(frame.starts_with("data: {"));
  ASSERT_TRUE(frame.ends_with("}\n\n"));
  json::value parsed = json::parse(frame.substr(6));
  EXPECT_EQ(parsed.at("error").at("code"), "upstream_truncated");
}

// Refusals a retry cannot fix are marked so clients are told not to retry (x-should-retry:
// false): each vendor knows its own.
TEST(UpstreamErrors, AnAccountOutOfCreditIsPermanent) {
  GatewayError quota = decode_error(429, R"({"error":{"message":"You exceeded your current quota","type":"insufficient_quota","param":null,"code":"insufficient_quota"}})");
  EXPECT_TRUE(quota.permanent);
  GatewayError rate = decode_error(429, R"({"error":{"message":"Rate limit reached","type":"requests","param":null,"code":"rate_limit_exceeded"}})");
  EXPECT_FALSE(rate.permanent);
  GatewayError billing = anthropic::decode_error(400, R"({"type":"error","error":{"type":"billing_error","message":"Your credit balance is too low"}})");
  EXPECT_TRUE(billing.permanent);
  GatewayError overloaded = anthropic::decode_error(529, R"({"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}})");
  EXPECT_FALSE(overloaded.permanent);
}

}  // namespace
}  // namespace switchyard::openai
