// W3C traceparent: exactly version 00 with lowercase hex and non-zero ids is read; the
// gateway's own ids are random, well-formed and never all zero.
#include "core/trace_context.h"

#include <gtest/gtest.h>

#include <set>

namespace switchyard {
namespace {

TEST(TraceParent, ReadsTheW3CForm) {
  auto parsed = parse_traceparent("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
  ASSERT_TRUE(parsed);
  EXPECT_EQ(parsed->trace_id, "4bf92f3577b34da6a3ce929d0e0e4736");
  EXPECT_EQ(parsed->span_id, "00f067aa0ba902b7");
  EXPECT_TRUE(parsed->sampled);
  EXPECT_FALSE(parse_traceparent("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00")->sampled);
  for (const char* bad : {"", "garbage", "01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
                          "00-00000000000000000000000000000000-00f067aa0ba902b7-01",
                          "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",
                          "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01",
                          "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra",
                          "00-4bf92f3577b34da6a3ce929d0e0e473-600f067aa0ba902b7-01"}) {
    EXPECT_FALSE(parse_traceparent(bad)) << bad;
  }
}

TEST(TraceParent, WritesWhatItReads) {
  std::string trace = new_trace_id(), span = new_span_id();
  EXPECT_EQ(trace.size(), 32u);
  EXPECT_EQ(span.size(), 16u);
  auto parsed = parse_traceparent(format_traceparent(trace, span, true));
  ASSERT_TRUE(parsed);
  EXPECT_EQ(parsed->trace_id, trace);
  EXPECT_EQ(parsed->span_id, span);
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) seen.insert(new_span_id());
  EXPECT_EQ(seen.size(), 1000u);
}

}  // namespace
}  // namespace switchyard
