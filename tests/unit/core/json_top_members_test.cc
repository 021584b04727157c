#include "core/json_top_members.h"

#include <gtest/gtest.h>

namespace switchyard::json_events {
namespace {

using Kind = TopMember::Kind;

TEST(JsonTopMembers, ReadsTheLastOccurrenceOfEachTopLevelNameOnly) {
  TopMember members[] = {{"model"}, {"messages"}, {"stream"}, {"absent"}};
  ASSERT_TRUE(read_top_members(
      R"({"model":"first","messages":{"model":"nested"},"stream":true,"model":"last","messages":[1,[2,3],{"a":4}],)"
      R"("other":{"stream":false}})",
      members));
  EXPECT_EQ(members[0].kind, Kind::string);
  EXPECT_EQ(members[0].text, "last");
  EXPECT_EQ(members[1].kind, Kind::array);
  EXPECT_EQ(members[1].elements, 3u);
  EXPECT_EQ(members[2].kind, Kind::boolean);
  EXPECT_TRUE(members[2].flag);
  EXPECT_EQ(members[3].kind, Kind::absent);
}

TEST(JsonTopMembers, ALaterValueOfAnotherKindReplacesTheFirst) {
  TopMember members[] = {{"model"}, {"stream"}};
  ASSERT_TRUE(read_top_members(R"({"model":"m","stream":true,"model":7,"stream":null})", members));
  EXPECT_EQ(members[0].kind, Kind::number);
  EXPECT_EQ(members[0].text, "");
  EXPECT_EQ(members[1].kind, Kind::null);
  EXPECT_FALSE(members[1].flag);
}

TEST(JsonTopMembers, NamesAndStringsInsideAMemberAreNotMembers) {
  TopMember members[] = {{"messages"}, {"model"}};
  ASSERT_TRUE(read_top_members(R"({"messages":[1,{"model":"x"},3],"model":{"a":"inner"}})", members));
  EXPECT_EQ(members[0].kind, Kind::array);
  EXPECT_EQ(members[0].elements, 3u);
  EXPECT_EQ(members[1].kind, Kind::object);
  EXPECT_EQ(members[1].text, "");
}

TEST(JsonTopMembers, RefusesWhatIsNotOneObject) {
  TopMember members[] = {{"model"}};
  EXPECT_FALSE(read_top_members(R"(["model"])", members));
  EXPECT_FALSE(read_top_members(R"({"model":"m")", members));
  EXPECT_FALSE(read_top_members(R"({"model":"m"} {})", members));
  EXPECT_FALSE(read_top_members("", members));
  EXPECT_TRUE(read_top_members(" {} ", members));
}

}  // namespace
}  // namespace switchyard::json_events
