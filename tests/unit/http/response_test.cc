#include "http/response.h"

#include <gtest/gtest.h>

namespace switchyard::http {
namespace {

TEST(ResponseHeader, SetReplacesEveryEarlierFieldOfTheNameAtTheEnd) {
  ResponseHeader header{429};
  header.set("Content-Type", "application/json");
  header.set("retry-after", "1");
  header.set("x-ratelimit-remaining-requests", "0");
  header.set("Retry-After", "30");
  EXPECT_EQ(header.lines(), "Content-Type: application/json\r\nx-ratelimit-remaining-requests: 0\r\nRetry-After: 30\r\n");
  EXPECT_EQ(header.get("RETRY-AFTER"), "30");
  EXPECT_EQ(header.get("content-type"), "application/json");
  EXPECT_EQ(header.get("x-absent"), "");
}

TEST(ResponseHeader, ANameIsNotMatchedByItsPrefixOrExtension) {
  ResponseHeader header;
  header.set("x-ratelimit-limit", "10");
  header.set("x-ratelimit", "5");
  header.set("x-ratelimit-limit-requests", "7");
  header.set("x-ratelimit", "6");
  EXPECT_EQ(header.lines(), "x-ratelimit-limit: 10\r\nx-ratelimit-limit-requests: 7\r\nx-ratelimit: 6\r\n");
  EXPECT_EQ(header.get("x-ratelimit-limit"), "10");
  EXPECT_EQ(header.get("x-ratelimit"), "6");
  EXPECT_EQ(header.get("x-ratelimit-limit-r"), "");
}

TEST(ResponseHeader, SettingTheLastFieldAgainKeepsTheOthers) {
  ResponseHeader header;
  header.set("a", "1");
  header.set("b", "2");
  header.set("b", "3");  // the erased line was the last: the walk must stop at the new end
  header.set("a", "4");
  EXPECT_EQ(header.lines(), "b: 3\r\na: 4\r\n");
}

TEST(ResponseHeader, RefusesFieldsThatWouldBreakTheHead) {
  ResponseHeader header;
  header.set("Retry-After", "1\r\nSet-Cookie: stolen=1");
  header.set("Bad Name", "x");
  header.set("", "x");
  header.set("x-nul", std::string_view("a\0b", 3));
  EXPECT_EQ(header.lines(), "");
}

TEST(ResponseHead, WritesStatusFieldsExtrasAndFraming) {
  ClientResponse response{404};
  response.set("Content-Type", "application/json");
  response.body = "{}";
  std::string out;
  append_response_head(out, response, "x-request-id: req_1\r\n", ResponseFraming{response.body.size(), true});
  EXPECT_EQ(out, "HTTP/1.1 404 Not Found\r\nContent-Type: application/json\r\nx-request-id: req_1\r\nContent-Length: 2\r\n\r\n");

  std::string stream;
  append_response_head(stream, ResponseHeader{200}, {}, ResponseFraming{std::nullopt, false});
  EXPECT_EQ(stream, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n");
}

}  // namespace
}  // namespace switchyard::http
