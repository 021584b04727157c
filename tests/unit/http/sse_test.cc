#include "http/sse.h"

#include <gtest/gtest.h>

#include <vector>

namespace switchyard::http {
namespace {

std::vector<std::string> drain(SseFrameSplitter& splitter) {
  std::vector<std::string> frames;
  for (auto frame = splitter.next_frame(); !frame.empty(); frame = splitter.next_frame()) frames.emplace_back(frame);
  return frames;
}

TEST(SseFrameSplitter, ReassemblesFramesSplitAcrossReads) {
  SseFrameSplitter splitter;
  splitter.feed("data: {\"a\"");
  EXPECT_TRUE(drain(splitter).empty());
  splitter.feed(":1}\n");
  EXPECT_TRUE(drain(splitter).empty());
  splitter.feed("\ndata: [DONE]\n\n");
  auto frames = drain(splitter);
  ASSERT_EQ(frames.size(), 2u);
  EXPECT_EQ(frames[0], "data: {\"a\":1}\n\n");
  EXPECT_EQ(frames[1], "data: [DONE]\n\n");
  EXPECT_EQ(splitter.pending_bytes(), 0u);
}

TEST(SseFrameSplitter, AcceptsEveryBlankLineStyle) {
  SseFrameSplitter splitter;
  splitter.feed("data: 1\r\n\r\ndata: 2\r\rdata: 3\n\n");
  auto frames = drain(splitter);
  ASSERT_EQ(frames.size(), 3u);
  EXPECT_EQ(parse_sse_frame(frames[0]).data(), "1");
  EXPECT_EQ(parse_sse_frame(frames[1]).data(), "2");
  EXPECT_EQ(parse_sse_frame(frames[2]).data(), "3");
}

TEST(SseFrameSplitter, KeepsAnIncompleteTrailingFrame) {
  SseFrameSplitter splitter;
  splitter.feed("data: whole\n\ndata: {\"cho");
  EXPECT_EQ(drain(splitter).size(), 1u);
  EXPECT_EQ(splitter.pending_bytes(), std::string_view("data: {\"cho").size());
}

TEST(SseFrameSplitter, HandlesLongStreamsWithoutLosingFrames) {
  SseFrameSplitter splitter;
  std::size_t total = 0;
  for (int i = 0; i < 20000; ++i) {
    splitter.feed("data: " + std::to_string(i) + "\n\n");
    auto frames = drain(splitter);
    ASSERT_EQ(frames.size(), 1u);
    ASSERT_EQ(parse_sse_frame(frames[0]).data(), std::to_string(i));
    total += frames.size();
  }
  EXPECT_EQ(total, 20000u);
}

TEST(SseParse, ReadsEventAndMultiLineData) {
  auto event = parse_sse_frame("event: message_start\ndata: {\"a\":\ndata: 1}\n: comment\n\n");
  EXPECT_EQ(event.event, "message_start");
  EXPECT_EQ(event.data(), "{\"a\":\n1}");
}

}  // namespace
}  // namespace switchyard::http
