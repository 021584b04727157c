#include "http/message_head.h"

#include <gtest/gtest.h>

#include <cctype>
#include <optional>
#include <random>
#include <string>
#include <utility>
#include <vector>

namespace switchyard::http {
namespace {

constexpr std::size_t kLimit = 64 * 1024;

// One parse of a whole input, as if it arrived in one read.
HeadParse request_head(std::string_view input, std::size_t limit, RequestHead& head) {
  std::size_t resume = 0;
  return parse_request_head(input, limit, head, resume);
}
HeadParse response_head(std::string_view input, std::size_t limit, ResponseHead& head) {
  std::size_t resume = 0;
  return parse_response_head(input, limit, head, resume);
}

TEST(RequestHead, parses_the_request_line_fields_and_length_framing) {
  std::string input =
      "POST /v1/chat/completions?x=1 HTTP/1.1\r\nHost: gw\r\nContent-Type:  application/json \r\n"
      "Content-Length: 12\r\n\r\n{\"model\":1}";
  RequestHead head;
  HeadParse parse = request_head(input, kLimit, head);
  ASSERT_EQ(parse.status, HeadStatus::complete) << parse.error;
  EXPECT_EQ(parse.size, input.find("{"));
  EXPECT_EQ(head.method, "POST");
  EXPECT_EQ(head.target, "/v1/chat/completions?x=1");
  EXPECT_EQ(head.version, 11);
  EXPECT_EQ(head.fields.size(), 3u);
  EXPECT_EQ(head.fields.get("content-type"), "application/json");  // trimmed, any case
  EXPECT_EQ(head.fields.get("HOST"), "gw");
  EXPECT_EQ(head.fields.get("x-missing"), "");
  EXPECT_EQ(head.framing.kind, BodyFraming::Kind::length);
  EXPECT_EQ(head.framing.length, 12u);
  EXPECT_TRUE(head.keep_alive());
}

TEST(RequestHead, views_stay_valid_after_the_input_is_gone) {
  RequestHead head;
  {
    std::string input = "GET /healthz HTTP/1.1\r\nX-Request-Id: abc\r\n\r\n";
    ASSERT_EQ(request_head(input, kLimit, head).status, HeadStatus::complete);
    input.assign(input.size(), 'x');
  }
  EXPECT_EQ(head.target, "/healthz");
  EXPECT_EQ(head.fields.get("x-request-id"), "abc");
  EXPECT_EQ(head.framing.kind, BodyFraming::Kind::none);
}

TEST(RequestHead, waits_for_the_blank_line_and_refuses_a_head_over_the_limit) {
  RequestHead head;
  EXPECT_EQ(request_head("GET / HTTP/1.1\r\nHost: a\r\n", kLimit, head).status, HeadStatus::incomplete);
  EXPECT_EQ(request_head("", kLimit, head).status, HeadStatus::incomplete);
  std::string big = "GET / HTTP/1.1\r\nX-Big: " + std::string(200, 'a');
  EXPECT_EQ(request_head(big, 100, head).status, HeadStatus::too_large);
  EXPECT_EQ(request_head(big + "\r\n\r\n", 100, head).status, HeadStatus::too_large);
  EXPECT_EQ(request_head(big + "\r\n\r\n", 1000, head).status, HeadStatus::complete);
}

TEST(RequestHead, resumes_its_search_as_a_head_arrives_a_byte_at_a_time) {
  std::string whole = "\r\nPOST /v1/messages HTTP/1.1\r\nX-Api-Key: k\r\nContent-Length: 2\r\n\r\n{}";
  std::size_t head_size = whole.size() - 2;
  RequestHead head;
  std::size_t resume = 0;
  for (std::size_t received = 0; received <= whole.size(); ++received) {
    HeadParse parse = parse_request_head(std::string_view(whole).substr(0, received), kLimit, head, resume);
    if (received < head_size) {
      ASSERT_EQ(parse.status, HeadStatus::incomplete) << received;
      EXPECT_LE(resume, received);
      continue;
    }
    ASSERT_EQ(parse.status, HeadStatus::complete) << received;
    EXPECT_EQ(parse.size, head_size);
    EXPECT_EQ(head.target, "/v1/messages");
    EXPECT_EQ(head.fields.get("x-api-key"), "k");
    EXPECT_EQ(resume, 0u);
    break;
  }
}

TEST(RequestHead, skips_empty_lines_before_the_request_line) {
  std::string input = "\r\n\r\nGET / HTTP/1.0\r\n\r\n";
  RequestHead head;
  HeadParse parse = request_head(input, kLimit, head);
  ASSERT_EQ(parse.status, HeadStatus::complete);
  EXPECT_EQ(parse.size, input.size());
  EXPECT_EQ(head.version, 10);
  EXPECT_FALSE(head.keep_alive());  // HTTP/1.0 closes unless asked
}

TEST(RequestHead, keep_alive_follows_the_connection_tokens) {
  RequestHead head;
  ASSERT_EQ(request_head("GET / HTTP/1.1\r\nConnection: Upgrade, Close\r\n\r\n", kLimit, head).status,
            HeadStatus::complete);
  EXPECT_FALSE(head.keep_alive());
  ASSERT_EQ(request_head("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n", kLimit, head).status,
            HeadStatus::complete);
  EXPECT_TRUE(head.keep_alive());
}

TEST(RequestHead, frames_a_chunked_body) {
  RequestHead head;
  ASSERT_EQ(request_head("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n", kLimit, head).status,
            HeadStatus::complete);
  EXPECT_EQ(head.framing.kind, BodyFraming::Kind::chunked);
}

TEST(RequestHead, agreeing_repeated_content_lengths_are_one_length) {
  RequestHead head;
  ASSERT_EQ(request_head("POST / HTTP/1.1\r\nContent-Length: 5\r\nContent-Length: 5, 5\r\n\r\n", kLimit, head)
                .status,
            HeadStatus::complete);
  EXPECT_EQ(head.framing.length, 5u);
}

// Each of these could make the gateway and another HTTP hop disagree on where a message
// ends, or is not HTTP/1.x at all.
TEST(RequestHead, refuses_heads_that_cannot_be_framed_safely) {
  const char* malformed[] = {
      "POST / HTTP/1.1\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n",
      "POST / HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n",
      "POST / HTTP/1.1\r\nTransfer-Encoding: chunked, gzip\r\n\r\n",
      "POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n",
      "POST / HTTP/1.1\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n",
      "POST / HTTP/1.1\r\nContent-Length: -1\r\n\r\n",
      "POST / HTTP/1.1\r\nContent-Length: 0x10\r\n\r\n",
      "POST / HTTP/1.1\r\nContent-Length: \r\n\r\n",
      "POST / HTTP/1.1\r\nContent-Length: 99999999999999999999\r\n\r\n",
      "POST / HTTP/1.1\r\nHost: a\r\n folded\r\n\r\n",
      "POST / HTTP/1.1\r\nHost : a\r\n\r\n",
      "POST / HTTP/1.1\r\nNo colon\r\n\r\n",
      "POST / HTTP/1.1\r\n: empty name\r\n\r\n",
      "POST / HTTP/1.1\r\nX: a\nY: b\r\n\r\n",
      "POST / HTTP/1.1\r\nX: a\x01\r\n\r\n",
      "POST / HTTP/2.0\r\n\r\n",
      "POST /  HTTP/1.1\r\n\r\n",
      "POST /\r\n\r\n",
      "P(ST / HTTP/1.1\r\n\r\n",
      "POST /a\x7f HTTP/1.1\r\n\r\n",
      "POST / HTTP/1.1\r\nHost: a\r\n\n",
      "POST / HTTP/1.1\nHost: a\r\n\r\n",
      "POST / HTTP/1.1\r\nX: a\rb\r\n\r\n",
      "\x16\x03\x01\x02\xfc\x03\x03\r\n\r\n",
  };
  for (const char* input : malformed) {
    RequestHead head;
      HeadParse parse = request_head(input, kLimit, head);
    EXPECT_EQ(parse.status, HeadStatus::malformed) << input;
    EXPECT_FALSE(parse.error.empty()) << input;
  }
}

// The fields as a plain byte-by-byte reading sees them: the oracle for the parser's
// 16-bytes-at-a-time scan. nullopt when a line is malformed.
std::optional<std::vector<std::pair<std::string, std::string>>> reference_fields(std::string_view lines) {
  auto token = [](unsigned char c) {
    return std::isalnum(c) || std::string_view("!#$%&'*+-.^_`|~").find(static_cast<char>(c)) != std::string_view::npos;
  };
  auto value_char = [](unsigned char c) { return c == '\t' || (c >= 0x20 && c != 0x7f); };
  std::vector<std::pair<std::string, std::string>> fields;
  while (!lines.empty()) {
    std::size_t lf = lines.find('\n');
    if (lf == std::string_view::npos || lf == 0 || lines[lf - 1] != '\r') return std::nullopt;
    std::string_view line = lines.substr(0, lf - 1);
    lines.remove_prefix(lf + 1);
    std::size_t colon = 0;
    while (colon < line.size() && token(static_cast<unsigned char>(line[colon]))) ++colon;
    if (colon == 0 || colon == line.size() || line[colon] != ':') return std::nullopt;
    std::string_view value = line.substr(colon + 1);
    for (unsigned char c : value) {
      if (!value_char(c)) return std::nullopt;
    }
    while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
    while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.remove_suffix(1);
    fields.emplace_back(line.substr(0, colon), value);
  }
  return fields;
}

TEST(RequestHead, field_values_are_checked_as_a_byte_by_byte_reading_checks_them) {
  std::mt19937 random(20261202);
  // Mostly value characters, sometimes one that is not (or the line's own CR / LF).
  const std::string usual = "abcXYZ019 -_./:;=,\t\x80\xc3\xa9\xff";
  const std::string rare = std::string("\r\n\x01\x1f\x7f", 5) + std::string(1, '\0');
  for (int round = 0; round < 4000; ++round) {
    std::string lines;
    int count = 1 + static_cast<int>(random() % 6);
    for (int i = 0; i < count; ++i) {
      lines += "X-F" + std::to_string(i) + ":";
      int length = static_cast<int>(random() % 70);  // across one to four 16-byte blocks
      for (int j = 0; j < length; ++j) {
        lines += random() % 40 == 0 ? rare[random() % rare.size()] : usual[random() % usual.size()];
      }
      lines += "\r\n";
    }
    std::string input = "GET / HTTP/1.1\r\n" + lines + "\r\n";
    RequestHead head;
    HeadParse parse = request_head(input, kLimit, head);
    auto expected = reference_fields(lines);
    // A stray CRLF pair inside a value ends the head early or splits the line: only
    // compare what both readings see as the same head.
    if (parse.status == HeadStatus::complete && parse.size != input.size()) continue;
    ASSERT_EQ(parse.status == HeadStatus::complete, expected.has_value()) << input;
    if (!expected) continue;
    std::vector<std::pair<std::string, std::string>> got;
    for (const HeaderField& field : head.fields) got.emplace_back(field.name, field.value);
    EXPECT_EQ(got, *expected) << input;
  }
}

TEST(ResponseHead, parses_the_status_line_and_fields) {
  std::string input = "HTTP/1.1 429 Too Many Requests\r\nRetry-After: 3\r\nContent-Length: 2\r\n\r\n{}";
  ResponseHead head;
  HeadParse parse = response_head(input, kLimit, head);
  ASSERT_EQ(parse.status, HeadStatus::complete) << parse.error;
  EXPECT_EQ(parse.size, input.size() - 2);
  EXPECT_EQ(head.status, 429);
  EXPECT_EQ(head.reason, "Too Many Requests");
  EXPECT_EQ(head.fields.get("retry-after"), "3");
  std::string_view error;
  BodyFraming framing = response_framing(head, "POST", error);
  EXPECT_EQ(framing.kind, BodyFraming::Kind::length);
  EXPECT_EQ(framing.length, 2u);
  EXPECT_TRUE(error.empty());
}

TEST(ResponseHead, accepts_a_status_line_without_a_reason) {
  ResponseHead head;
  ASSERT_EQ(response_head("HTTP/1.1 200\r\n\r\n", kLimit, head).status, HeadStatus::complete);
  EXPECT_EQ(head.status, 200);
  EXPECT_EQ(head.reason, "");
  ASSERT_EQ(response_head("HTTP/1.0 204 \r\n\r\n", kLimit, head).status, HeadStatus::complete);
  EXPECT_EQ(head.version, 10);
  EXPECT_FALSE(head.keep_alive());
}

TEST(ResponseHead, refuses_what_is_not_a_status_line) {
  for (const char* input : {"HTTP/1.1 20 OK\r\n\r\n", "HTTP/1.1 2000 OK\r\n\r\n", "HTTP/1.1 abc OK\r\n\r\n",
                            "ICY 200 OK\r\n\r\n", "HTTP/1.1 099 Low\r\n\r\n", "HTTP/1.1 200 OK\r\nBad Name: x\r\n\r\n"}) {
    ResponseHead head;
      EXPECT_EQ(response_head(input, kLimit, head).status, HeadStatus::malformed) << input;
  }
}

BodyFraming framing_of(const std::string& input, std::string_view method = "POST") {
  ResponseHead head;
  EXPECT_EQ(response_head(input, kLimit, head).status, HeadStatus::complete) << input;
  std::string_view error;
  BodyFraming framing = response_framing(head, method, error);
  EXPECT_TRUE(error.empty()) << input;
  return framing;
}

TEST(ResponseHead, frames_bodies_as_rfc_9112_orders_it) {
  EXPECT_EQ(framing_of("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n").kind, BodyFraming::Kind::chunked);
  // Transfer-Encoding wins over Content-Length.
  EXPECT_EQ(framing_of("HTTP/1.1 200 OK\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n").kind,
            BodyFraming::Kind::chunked);
  EXPECT_EQ(framing_of("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n").kind, BodyFraming::Kind::until_close);
  EXPECT_EQ(framing_of("HTTP/1.1 200 OK\r\n\r\n").kind, BodyFraming::Kind::until_close);
  EXPECT_EQ(framing_of("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n").kind, BodyFraming::Kind::none);
  EXPECT_EQ(framing_of("HTTP/1.1 204 No Content\r\n\r\n").kind, BodyFraming::Kind::none);
  EXPECT_EQ(framing_of("HTTP/1.1 304 Not Modified\r\nContent-Length: 9\r\n\r\n").kind, BodyFraming::Kind::none);
  EXPECT_EQ(framing_of("HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\n", "HEAD").kind, BodyFraming::Kind::none);
}

TEST(ResponseHead, an_invalid_content_length_is_an_error) {
  ResponseHead head;
  ASSERT_EQ(response_head("HTTP/1.1 200 OK\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\n", kLimit, head)
                .status,
            HeadStatus::complete);
  std::string_view error;
  response_framing(head, "POST", error);
  EXPECT_FALSE(error.empty());
}

TEST(FieldChars, every_byte_at_every_position_is_classed_as_rfc_9110_classes_it) {
  auto tchar = [](unsigned char c) {
    return std::isalnum(c) || std::string_view("!#$%&'*+-.^_`|~").find(static_cast<char>(c)) != std::string_view::npos;
  };
  auto value_char = [](unsigned char c) { return c == '\t' || (c >= 0x20 && c != 0x7f); };
  for (int c = 0; c < 256; ++c) {
    for (std::size_t length : {1u, 7u, 16u, 17u, 33u}) {  // the scalar tail, one block, blocks and a tail
      for (std::size_t at = 0; at < length; at += 3) {
        std::string text(length, 'a');
        text[at] = static_cast<char>(c);
        EXPECT_EQ(is_token(text), tchar(static_cast<unsigned char>(c))) << c << " at " << at << " of " << length;
        EXPECT_EQ(is_field_value(text), value_char(static_cast<unsigned char>(c))) << c << " at " << at << " of " << length;
      }
    }
  }
  EXPECT_FALSE(is_token(""));
  EXPECT_TRUE(is_field_value(""));
}

TEST(Iequals, compares_ascii_letters_without_case) {
  EXPECT_TRUE(iequals("Content-Length", "content-length"));
  EXPECT_FALSE(iequals("content-lengtH", "content-length "));
  EXPECT_FALSE(iequals("[", "{"));  // 0x5b and 0x7b differ by the case bit, but are not letters
}

}  // namespace
}  // namespace switchyard::http
