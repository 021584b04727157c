#include "core/json_writer.h"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <cstdint>
#include <string>

namespace switchyard {
namespace {

std::string as_json_string(std::string_view text) {
  std::string out;
  append_json_string(out, text);
  return out;
}

// The writer promises Boost.JSON's own spelling, so encoders' output did not change when
// they stopped building trees.
TEST(JsonWriter, EscapesEveryByteAsBoostJsonDoes) {
  for (int c = 0; c < 256; ++c) {
    // Every position of a 16-byte block and the scalar tail after it.
    for (std::size_t at : {0u, 7u, 15u, 16u, 31u, 33u}) {
      std::string text(40, 'a');
      text[at] = static_cast<char>(c);
      ASSERT_EQ(as_json_string(text), boost::json::serialize(boost::json::value(text))) << "byte " << c << " at " << at;
    }
  }
}

TEST(JsonWriter, KeepsUtf8AndRunsOfEscapes) {
  std::string text = "ünï ☃ \"\"\\\\\n\n\t\x01 end";
  EXPECT_EQ(as_json_string(text), boost::json::serialize(boost::json::value(text)));
  EXPECT_EQ(as_json_string(""), "\"\"");
}

TEST(JsonWriter, PlacesCommasAndColons) {
  std::string body;
  JsonWriter out(body);
  out.begin_object().member("model", "m").key("messages").begin_array();
  out.begin_object().member("role", "user").member("n", std::int64_t{-3}).end_object();
  out.begin_array().end_array().null().boolean(false);
  out.end_array().key("empty").begin_object().end_object().member("ok", true).end_object();
  EXPECT_EQ(body, R"({"model":"m","messages":[{"role":"user","n":-3},[],null,false],"empty":{},"ok":true})");
  boost::json::error_code ec;
  boost::json::parse(body, ec);
  EXPECT_FALSE(ec);
}

TEST(JsonWriter, WritesNumbersAndValuesAsBoostJsonDoes) {
  std::string body;
  JsonWriter out(body);
  boost::json::value schema = boost::json::parse(R"({"type":"object","properties":{"a":{"enum":[1,2.5,"x\n"]}}})");
  out.begin_array().number(0.7).number(-0.0).number(1e300).integer(INT64_MIN).value(schema).end_array();
  boost::json::array expected{0.7, -0.0, 1e300, INT64_MIN, schema};
  EXPECT_EQ(body, boost::json::serialize(expected));
}

}  // namespace
}  // namespace switchyard
