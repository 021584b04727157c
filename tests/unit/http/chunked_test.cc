#include "http/chunked.h"

#include <gtest/gtest.h>

#include <string>

namespace switchyard::http {
namespace {

struct Decoded {
  std::string body;
  bool done = false;
  std::string error;
  std::size_t left = 0;  // input bytes not consumed
};

// Feeds `input` in pieces of `piece` bytes, as reads from a socket would arrive.
Decoded decode(const std::string& input, std::size_t piece) {
  ChunkedDecoder decoder;
  Decoded out;
  std::string pending;
  std::size_t fed = 0;
  while (true) {
    ChunkedDecoder::Step step = decoder.next(pending);
    if (!step.error.empty()) {
      out.error = std::string(step.error);
      return out;
    }
    out.body.append(step.data);
    pending.erase(0, step.consumed);
    if (step.done) {
      out.done = true;
      out.left = pending.size() + (input.size() - fed);
      return out;
    }
    if (step.need_more) {
      if (fed == input.size()) return out;
      std::size_t take = std::min(piece, input.size() - fed);
      pending.append(input, fed, take);
      fed += take;
    }
  }
}

TEST(ChunkedDecoder, decodes_chunks_whatever_the_read_sizes) {
  std::string input = "5\r\nhello\r\n1A;ext=1\r\n abcdefghijklmnopqrstuvwxy\r\n0\r\n\r\n";
  for (std::size_t piece : {1u, 2u, 3u, 7u, 1000u}) {
    Decoded decoded = decode(input, piece);
    EXPECT_EQ(decoded.error, "") << piece;
    EXPECT_TRUE(decoded.done) << piece;
    EXPECT_EQ(decoded.body, "hello abcdefghijklmnopqrstuvwxy") << piece;
    EXPECT_EQ(decoded.left, 0u) << piece;
  }
}

TEST(ChunkedDecoder, reads_past_trailers_and_stops_at_the_end_of_the_body) {
  Decoded decoded = decode("3\r\nabc\r\n0\r\nX-Checksum: 1\r\nX-More: 2\r\n\r\nGET / HTTP/1.1\r\n", 4);
  EXPECT_TRUE(decoded.done);
  EXPECT_EQ(decoded.body, "abc");
  EXPECT_EQ(decoded.left, std::string("GET / HTTP/1.1\r\n").size());  // the next message is left alone
}

TEST(ChunkedDecoder, hands_data_out_as_views_into_the_input) {
  ChunkedDecoder decoder;
  std::string input = "4\r\ndata\r\n";
  ChunkedDecoder::Step size = decoder.next(input);
  ASSERT_EQ(size.consumed, 3u);
  EXPECT_TRUE(decoder.at_data());
  ChunkedDecoder::Step data = decoder.next(std::string_view(input).substr(3));
  EXPECT_EQ(data.data, "data");
  EXPECT_EQ(data.data.data(), input.data() + 3);
  EXPECT_FALSE(decoder.at_data());
}

TEST(ChunkedDecoder, refuses_malformed_codings) {
  for (const char* input : {"g\r\n", "\r\n", "5\r\nhelloXX0\r\n\r\n", "5 x\r\nhello\r\n", "11111111111111111\r\n",
                            "5\rX\r\nhello\r\n"}) {
    Decoded decoded = decode(input, 100);
    EXPECT_FALSE(decoded.error.empty()) << input;
  }
}

TEST(ChunkedDecoder, bounds_a_size_line_and_the_trailers) {
  EXPECT_FALSE(decode("5;" + std::string(5000, 'x'), 100).error.empty());
  EXPECT_FALSE(decode("0\r\n" + std::string(20000, 'x'), 100).error.empty());
  std::string many_trailers = "0\r\n";
  for (int i = 0; i < 2000; ++i) many_trailers += "X-T: 1234567\r\n";
  EXPECT_FALSE(decode(many_trailers + "\r\n", 100).error.empty());
}

TEST(ChunkedDecoder, an_unfinished_body_asks_for_more) {
  Decoded decoded = decode("5\r\nhel", 100);
  EXPECT_FALSE(decoded.done);
  EXPECT_EQ(decoded.error, "");
  EXPECT_EQ(decoded.body, "hel");
}

}  // namespace
}  // namespace switchyard::http
