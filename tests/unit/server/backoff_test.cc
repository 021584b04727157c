#include <gtest/gtest.h>

#include "server/attempt_loop.h"

namespace switchyard::server {
namespace {

TEST(Backoff, DoublesFromTheInitialDelayUpToTheCap) {
  Millis initial(100), max(1000);
  EXPECT_EQ(backoff_delay(1, initial, max, 1.0), Millis(100));
  EXPECT_EQ(backoff_delay(2, initial, max, 1.0), Millis(200));
  EXPECT_EQ(backoff_delay(3, initial, max, 1.0), Millis(400));
  EXPECT_EQ(backoff_delay(5, initial, max, 1.0), Millis(1000));
  EXPECT_EQ(backoff_delay(40, initial, max, 1.0), Millis(1000));
}

TEST(Backoff, JitterSpreadsBetweenHalfAndAllOfTheDelay) {
  EXPECT_EQ(backoff_delay(2, Millis(100), Millis(1000), 0.0), Millis(100));
  EXPECT_EQ(backoff_delay(2, Millis(100), Millis(1000), 0.5), Millis(150));
}

}  // namespace
}  // namespace switchyard::server
