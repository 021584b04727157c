// What counts as a stream's first token, on streams recorded from the real APIs: the first
// frame past the preamble (OpenAI's role-only chunk; Anthropic's message_start,
// content_block_start and ping), however the stream is cut into pieces.
#include "server/first_token.h"

#include <gtest/gtest.h>

#include "dialects/anthropic/codec.h"
#include "dialects/gemini/codec.h"
#include "dialects/openai/codec.h"
#include "../fixtures.h"
#include "http/sse.h"

namespace switchyard::server {
namespace {

struct Case {
  const char* fixture;
  const DialectCodec& codec;
  std::size_t first_token_frame;  // the index of the first frame that is not preamble
};

// The frames of a recorded stream, each whole.
std::vector<std::string> frames_of(const std::string& stream) {
  std::vector<std::string> frames;
  std::size_t start = 0;
  while (true) {
    std::size_t end = http::sse_frame_end(stream, start);
    if (end == std::string::npos) break;
    frames.push_back(stream.substr(start, end - start));
    start = end;
  }
  return frames;
}

class FirstToken : public ::testing::TestWithParam<Case> {};

TEST_P(FirstToken, IsTheFirstFramePastThePreamble) {
  const Case& c = GetParam();
  std::vector<std::string> frames = frames_of(testing::read_fixture(c.fixture));
  ASSERT_GT(frames.size(), c.first_token_frame);
  // Only the frames up to the first token are asked about (later a new block's start or a
  // ping says nothing, but nobody waits on them).
  for (std::size_t i = 0; i <= c.first_token_frame; ++i) {
    EXPECT_EQ(c.codec.is_preamble_frame(frames[i]), i < c.first_token_frame) << c.fixture << " frame " << i;
  }
}

TEST_P(FirstToken, IsFoundWhateverPiecesTheStreamArrivesIn) {
  const Case& c = GetParam();
  std::string stream = testing::read_fixture(c.fixture);
  std::vector<std::string> frames = frames_of(stream);
  std::size_t needed = 0;  // the bytes up to the end of the first token's frame
  for (std::size_t i = 0; i <= c.first_token_frame; ++i) needed += frames[i].size();
  for (std::size_t piece : {1u, 7u, 64u, 100000u}) {
    std::string received;
    std::size_t scanned = 0;
    bool found = false;
    for (std::size_t at = 0; at < stream.size() && !found; at += piece) {
      received.append(stream, at, piece);
      found = holds_first_token(received, scanned, c.codec);
      if (!found) {
        EXPECT_LT(received.size(), needed) << c.fixture << " in pieces of " << piece;
      }
    }
    EXPECT_TRUE(found) << c.fixture << " in pieces of " << piece;
    EXPECT_GE(received.size(), needed) << c.fixture << " in pieces of " << piece;
    EXPECT_EQ(scanned, needed) << c.fixture << " in pieces of " << piece;
  }
}

INSTANTIATE_TEST_SUITE_P(
    RecordedStreams, FirstToken,
    ::testing::Values(Case{"openai/openai.chat.stream.text.sse", openai::codec(), 1},
                      Case{"openai/openai.chat.stream.tool_calls.sse", openai::codec(), 1},
                      Case{"openai/openai.chat.stream.error_midstream.sse", openai::codec(), 1},
                      Case{"anthropic/anthropic.messages.stream.text.sse", anthropic::codec(), 3},
                      Case{"anthropic/anthropic.messages.stream.thinking_tool_use.sse", anthropic::codec(), 3},
                      Case{"anthropic/anthropic.messages.stream.error_overloaded.sse", anthropic::codec(), 2},
                      Case{"gemini/gemini.stream.text.sse", gemini::codec(), 0},
                      Case{"gemini/gemini.stream.function_call.sse", gemini::codec(), 0}));

TEST(FirstTokenFrames, CommentsAndEmptyDeltasArePreamble) {
  EXPECT_TRUE(openai::is_preamble_frame(": keep-alive\n\n"));
  EXPECT_TRUE(openai::is_preamble_frame("data: {\"choices\":[]}\n\n"));  // Azure's prompt-filter chunk
  EXPECT_TRUE(openai::is_preamble_frame(
      "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"\"},\"finish_reason\":null}]}\n\n"));
  EXPECT_FALSE(openai::is_preamble_frame("data: [DONE]\n\n"));  // the end is an end, not a wait
  EXPECT_FALSE(openai::is_preamble_frame(
      "data: {\"choices\":[{\"index\":0,\"delta\":{\"reasoning_content\":\"Hmm\"},\"finish_reason\":null}]}\n\n"));
  EXPECT_FALSE(openai::is_preamble_frame("data: not json\n\n"));
  EXPECT_TRUE(anthropic::is_preamble_frame(": comment\n\n"));
  EXPECT_TRUE(anthropic::is_preamble_frame("data: {\"type\":\"ping\"}\n\n"));  // no event line: read off the data
  EXPECT_FALSE(anthropic::is_preamble_frame("event: error\ndata: {\"type\":\"error\"}\n\n"));
  EXPECT_TRUE(gemini::is_preamble_frame(": comment\r\n\r\n"));
  EXPECT_FALSE(gemini::is_preamble_frame("data: {\"error\":{\"code\":503,\"message\":\"overloaded\"}}\r\n\r\n"));
}

}  // namespace
}  // namespace switchyard::server
