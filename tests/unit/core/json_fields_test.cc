#include "core/json_fields.h"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

namespace switchyard::json_fields {
namespace {

TEST(ParamPath, SpellsMembersAndIndexesOnlyWhenAsked) {
  const ParamPath root("messages");
  const ParamPath message = root.index(3);
  const ParamPath content = message.member("content");
  const ParamPath part = content.index(0);
  EXPECT_EQ(root.str(), "messages");
  EXPECT_EQ(message.str(), "messages[3]");
  EXPECT_EQ(part.str(), "messages[3].content[0]");
  EXPECT_EQ(part.member("image_url").str(), "messages[3].content[0].image_url");
  // The top level is the empty path: its members carry no leading dot.
  const ParamPath top("");
  EXPECT_EQ(top.member("model").str(), "model");
}

TEST(Reader, NamesTheFullPathOfAMistypedMember) {
  boost::json::value body = boost::json::parse(R"({"text": 5})");
  const ParamPath root("messages");
  const ParamPath message = root.index(2);
  const ParamPath content = message.member("content");
  const ParamPath block = content.index(1);
  Reader reader;
  EXPECT_FALSE(reader.string(body.get_object(), "text", block));
  ASSERT_FALSE(reader.ok());
  EXPECT_EQ(reader.error()->message, "'messages[2].content[1].text' must be a string");
  EXPECT_EQ(reader.error()->param, "messages[2].content[1].text");
}

}  // namespace
}  // namespace switchyard::json_fields
