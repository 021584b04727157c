#include "http/wire.h"

#include <gtest/gtest.h>

#include <array>

namespace switchyard::http {
namespace {

TEST(RequestHeadWire, writes_every_set_in_order_and_a_name_set_again_once_with_its_last_value) {
  const HeaderList provider{{"content-type", "application/json"}, {"x-org", "default"}, {"Accept", "*/*"}};
  const HeaderList key{{"authorization", "Bearer sk-1"}, {"X-Org", "from-key"}};
  const HeaderList accept{{"accept", "text/event-stream"}};
  const std::array<const HeaderList*, 3> sets{&provider, &key, &accept};
  std::string out;
  append_request_head(out, "POST", "/v1/chat/completions", "api.example.com", header_lines(sets), 12);
  EXPECT_EQ(out,
            "POST /v1/chat/completions HTTP/1.1\r\nHost: api.example.com\r\ncontent-type: application/json\r\n"
            "authorization: Bearer sk-1\r\nX-Org: from-key\r\naccept: text/event-stream\r\nContent-Length: 12\r\n\r\n");
}

TEST(RequestHeadWire, leaves_the_framing_to_the_client) {
  const HeaderList configured{{"Host", "evil"}, {"content-length", "999"}, {"Connection", "close"},
                              {"transfer-encoding", "chunked"}, {"x-kept", "1"}};
  const std::array<const HeaderList*, 1> sets{&configured};
  std::string out;
  append_request_head(out, "GET", "/v1/models", "api.example.com", header_lines(sets), 0);
  EXPECT_EQ(out, "GET /v1/models HTTP/1.1\r\nHost: api.example.com\r\nx-kept: 1\r\n\r\n");
}

}  // namespace
}  // namespace switchyard::http
