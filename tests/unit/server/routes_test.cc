#include "server/routes.h"

#include <gtest/gtest.h>

namespace switchyard::server {
namespace {

TEST(Routes, MatchesKnownOperations) {
  EXPECT_EQ(match_route("POST", "/v1/chat/completions").operation, Operation::chat_completions);
  EXPECT_EQ(match_route("GET", "/v1/models").operation, Operation::list_models);
  EXPECT_EQ(match_route("GET", "/healthz").operation, Operation::healthz);
  EXPECT_EQ(match_route("GET", "/readyz").operation, Operation::readyz);
}

TEST(Routes, IgnoresQueryAndTrailingSlash) {
  EXPECT_EQ(match_route("GET", "/v1/models?key=x").operation, Operation::list_models);
  EXPECT_EQ(match_route("POST", "/v1/chat/completions/").operation, Operation::chat_completions);
}

TEST(Routes, DistinguishesWrongMethodFromUnknownPath) {
  auto wrong = match_route("GET", "/v1/chat/completions");
  EXPECT_EQ(wrong.operation, Operation::wrong_method);
  EXPECT_EQ(wrong.allowed_method, "POST");
  EXPECT_EQ(match_route("POST", "/v1/nothing").operation, Operation::unknown_path);
}

}  // namespace
}  // namespace switchyard::server
