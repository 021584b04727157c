#include "http/endpoint.h"

#include <gtest/gtest.h>

namespace switchyard::http {
namespace {

TEST(ListenAddress, ParsesHostAndPort) {
  std::string error;
  auto address = parse_listen_address("127.0.0.1:4000", error);
  ASSERT_TRUE(address) << error;
  EXPECT_EQ(address->host, "127.0.0.1");
  EXPECT_EQ(address->port, 4000);
  auto v6 = parse_listen_address("[::1]:0", error);
  ASSERT_TRUE(v6) << error;
  EXPECT_EQ(v6->host, "::1");
  EXPECT_EQ(v6->port, 0);
}

TEST(ListenAddress, RejectsMissingPartsWithAReason) {
  std::string error;
  EXPECT_FALSE(parse_listen_address("4000", error));
  EXPECT_FALSE(error.empty());
  EXPECT_FALSE(parse_listen_address(":4000", error));
  EXPECT_FALSE(parse_listen_address("127.0.0.1:99999", error));
  EXPECT_FALSE(parse_listen_address("127.0.0.1:http", error));
}

TEST(ListenAddress, KnowsLoopback) {
  EXPECT_TRUE(is_loopback_host("127.0.0.1"));
  EXPECT_TRUE(is_loopback_host("127.1.2.3"));
  EXPECT_TRUE(is_loopback_host("::1"));
  EXPECT_TRUE(is_loopback_host("localhost"));
  EXPECT_FALSE(is_loopback_host("0.0.0.0"));
  EXPECT_FALSE(is_loopback_host("10.0.0.1"));
}

TEST(UpstreamUrl, SplitsOriginAndBasePathLikeTheOpenAISdk) {
  std::string error;
  auto url = parse_upstream_url("https://api.openai.com/v1/", error);
  ASSERT_TRUE(url) << error;
  EXPECT_TRUE(url->tls);
  EXPECT_EQ(url->host, "api.openai.com");
  EXPECT_EQ(url->port, 443);
  EXPECT_EQ(url->base_path, "/v1");
  EXPECT_EQ(url->host_header(), "api.openai.com");

  auto local = parse_upstream_url("http://127.0.0.1:11434/v1", error);
  ASSERT_TRUE(local) << error;
  EXPECT_FALSE(local->tls);
  EXPECT_EQ(local->port, 11434);
  EXPECT_EQ(local->host_header(), "127.0.0.1:11434");
  EXPECT_EQ(local->origin(), "http://127.0.0.1:11434");
}

TEST(UpstreamUrl, RejectsWhatCannotBeABaseUrl) {
  std::string error;
  EXPECT_FALSE(parse_upstream_url("not a url", error));
  EXPECT_FALSE(parse_upstream_url("ftp://example.com", error));
  EXPECT_FALSE(parse_upstream_url("https://user:pass@example.com/v1", error));
  EXPECT_FALSE(parse_upstream_url("https://example.com/v1?key=x", error));
  EXPECT_FALSE(parse_upstream_url("https:///v1", error));
}

}  // namespace
}  // namespace switchyard::http
