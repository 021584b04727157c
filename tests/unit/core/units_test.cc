#include "core/units.h"

#include <gtest/gtest.h>

namespace switchyard {
namespace {

TEST(Units, ParsesDurationsWithUnits) {
  EXPECT_EQ(parse_duration("250ms"), Millis(250));
  EXPECT_EQ(parse_duration("5s"), Millis(5000));
  EXPECT_EQ(parse_duration("2m"), Millis(120000));
  EXPECT_EQ(parse_duration("1h"), Millis(3600000));
  EXPECT_EQ(parse_duration("30"), Millis(30000));  // bare numbers are seconds
}

TEST(Units, RejectsMalformedDurations) {
  EXPECT_FALSE(parse_duration(""));
  EXPECT_FALSE(parse_duration("-1s"));
  EXPECT_FALSE(parse_duration("5 parsecs"));
  EXPECT_FALSE(parse_duration("1.5s"));
  EXPECT_FALSE(parse_duration("99999999999999999999h"));
}

TEST(Units, FormatsDurationsAsTheyParseBack) {
  EXPECT_EQ(format_duration(Millis(250)), "250ms");
  EXPECT_EQ(format_duration(Millis(1500)), "1500ms");
  EXPECT_EQ(format_duration(Millis(30000)), "30s");
  EXPECT_EQ(format_duration(Millis(300000)), "5m");
  EXPECT_EQ(format_duration(Millis(7200000)), "2h");
  EXPECT_EQ(format_duration(Millis(0)), "0ms");
  for (long ms : {1L, 999L, 1000L, 61000L, 3600000L}) EXPECT_EQ(parse_duration(format_duration(Millis(ms))), Millis(ms));
}

TEST(Units, ParsesSizes) {
  EXPECT_EQ(parse_size("100"), 100u);
  EXPECT_EQ(parse_size("512KiB"), 512u * 1024);
  EXPECT_EQ(parse_size("32MiB"), 32u * 1024 * 1024);
  EXPECT_EQ(parse_size("1MB"), 1000u * 1000);
  EXPECT_FALSE(parse_size("1XB"));
  EXPECT_FALSE(parse_size("18446744073709551615GiB"));
}

}  // namespace
}  // namespace switchyard
