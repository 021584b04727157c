#include "policy/master_key.h"

#include <gtest/gtest.h>

namespace switchyard::policy {
namespace {

TEST(MasterKey, AcceptsOnlyTheExactKey) {
  MasterKey key("sk-master-123");
  EXPECT_TRUE(key.enabled());
  EXPECT_TRUE(key.accepts("sk-master-123"));
  EXPECT_FALSE(key.accepts("sk-master-12"));
  EXPECT_FALSE(key.accepts("sk-master-1234"));
  EXPECT_FALSE(key.accepts(""));
  EXPECT_FALSE(key.accepts("sk-master-123sk-master-123"));
  // The comparison wraps around a shorter key; a key that repeats must still not match it.
  MasterKey repeating("abab");
  EXPECT_FALSE(repeating.accepts("ab"));
  EXPECT_TRUE(repeating.accepts("abab"));
}

TEST(MasterKey, DisabledWhenEmpty) {
  MasterKey none("");
  EXPECT_FALSE(none.enabled());
  EXPECT_TRUE(none.accepts(""));
}

}  // namespace
}  // namespace switchyard::policy
