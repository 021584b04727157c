#include "core/json_splice.h"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <random>

namespace switchyard::json_splice {
namespace {

TEST(JsonSplice, ReplacesOnlyTheTopLevelValue) {
  std::string body = R"({"messages":[{"model":"inner"}],"model" : "alias","n":1.50})";
  EXPECT_EQ(set_member(body, "model", R"("gpt-4o")"), R"({"messages":[{"model":"inner"}],"model" : "gpt-4o","n":1.50})");
}

TEST(JsonSplice, KeepsUnknownFieldsAndFormattingByteForByte) {
  std::string body = "{\n  \"model\": \"a\",\n  \"x_custom\": {\"a\": [1, 2e3]},\n  \"temperature\": 0.70\n}";
  std::string out = set_member(body, "model", R"("b")");
  EXPECT_EQ(out, "{\n  \"model\": \"b\",\n  \"x_custom\": {\"a\": [1, 2e3]},\n  \"temperature\": 0.70\n}");
}

TEST(JsonSplice, SkipsStringsThatLookLikeStructure) {
  std::string body = R"({"content":"}{\"model\":\"fake\"","model":"real"})";
  auto span = find_member(body, "model");
  ASSERT_TRUE(span);
  EXPECT_EQ(body.substr(span->value_begin, span->value_end - span->value_begin), R"("real")");
}

TEST(JsonSplice, CountsBackslashRunsBeforeAQuote) {
  // An even run of backslashes ends in a literal backslash, so the quote after it closes
  // the string; an odd run escapes the quote. Both inside a nested value and at the top.
  std::string body = R"({"a":"x\\","b":[{"c":"\\\"}]\\"}],"model":"real","z":"\\\""})";
  auto span = find_member(body, "model");
  ASSERT_TRUE(span);
  EXPECT_EQ(body.substr(span->value_begin, span->value_end - span->value_begin), R"("real")");
  auto z = find_member(body, "z");
  ASSERT_TRUE(z);
  EXPECT_EQ(body.substr(z->value_begin, z->value_end - z->value_begin), R"("\\\"")");
}

TEST(JsonSplice, LastDuplicateKeyWinsLikeUpstreamParsers) {
  std::string body = R"({"model":"first","model":"second"})";
  EXPECT_EQ(set_member(body, "model", R"("x")"), R"({"model":"first","model":"x"})");
}

TEST(JsonSplice, DecodesKeysWrittenWithEscapes) {
  std::string body = R"({"mod\u0065l":"client","messages":[],"m\"odel":1})";
  EXPECT_EQ(set_member(body, "model", R"("x")"), R"({"mod\u0065l":"x","messages":[],"m\"odel":1})");
  EXPECT_EQ(remove_member(body, "m\"odel"), R"({"mod\u0065l":"client","messages":[]})");
  EXPECT_FALSE(find_member(body, "mod\\u0065l"));
}

TEST(JsonSplice, AddsAMissingMemberAtTheStart) {
  EXPECT_EQ(set_member(R"({"stream":true})", "stream_options", R"({"include_usage":true})"),
            R"({"stream_options":{"include_usage":true},"stream":true})");
  EXPECT_EQ(set_member("{ }", "a", "1"), R"({"a":1 })");
}

TEST(JsonSplice, FindsValuesOfEveryKind) {
  std::string body = R"({"a":null,"b":[1,[2]],"c":{"d":{}},"e":-1.5e3,"f":true})";
  auto value_of = [&](std::string_view key) {
    auto span = find_member(body, key);
    return span ? body.substr(span->value_begin, span->value_end - span->value_begin) : std::string("<none>");
  };
  EXPECT_EQ(value_of("a"), "null");
  EXPECT_EQ(value_of("b"), "[1,[2]]");
  EXPECT_EQ(value_of("c"), R"({"d":{}})");
  EXPECT_EQ(value_of("e"), "-1.5e3");
  EXPECT_EQ(value_of("f"), "true");
  EXPECT_EQ(value_of("d"), "<none>");
}


std::vector<std::pair<std::string, std::string>> members_of(std::string_view json) {
  std::vector<std::pair<std::string, std::string>> out;
  MemberReader reader(json);
  std::string_view key;
  std::string_view value;
  while (reader.next(key, value)) out.emplace_back(key, value);
  return out;
}

TEST(MemberReader, ReadsMembersAsText) {
  using Members = std::vector<std::pair<std::string, std::string>>;
  EXPECT_EQ(members_of(R"( { "a" : 1 , "b\"c":{"x":[1,"]"]}, "d":"e" } )"),
            (Members{{"a", "1"}, {"b\\\"c", R"({"x":[1,"]"]})"}, {"d", R"("e")"}}));
  EXPECT_EQ(members_of("{}"), Members{});
  EXPECT_TRUE(MemberReader("{}").is_object());
  EXPECT_FALSE(MemberReader("[1]").is_object());
  EXPECT_EQ(members_of("[1]"), Members{});
}

TEST(MemberReader, StopsAtTextThatEndsInsideAMember) {
  using Members = std::vector<std::pair<std::string, std::string>>;
  EXPECT_EQ(members_of(R"({"a":1,"b":{"c":2)"), (Members{{"a", "1"}}));
  EXPECT_EQ(members_of(R"({"a":1,"b":"cut)"), (Members{{"a", "1"}}));
  EXPECT_EQ(members_of(R"({"a":1,"b")"), (Members{{"a", "1"}}));
  EXPECT_EQ(members_of(R"({"a":)"), Members{});
  std::string long_cut = R"({"a":[)" + std::string(200, '1') + ",";
  EXPECT_EQ(members_of(long_cut), Members{});
  EXPECT_FALSE(find_member(R"({"model":{"x":1)", "model"));
}

// Containers are skipped 64 bytes at a time; strings full of brackets, quotes and
// backslash runs placed across block boundaries must land every member where a real
// parser puts it.
boost::json::value random_value(std::mt19937& random, int depth) {
  static const std::string pieces[] = {"{", "}", "[", "]", "\\", "\"", "a", " ", "\\\"", "\\\\", ":", ","};
  auto text = [&] {
    std::string out;
    int length = std::uniform_int_distribution<int>(0, 40)(random);
    for (int i = 0; i < length; ++i) out += pieces[std::uniform_int_distribution<int>(0, 11)(random)];
    return out;
  };
  int kind = std::uniform_int_distribution<int>(0, depth > 3 ? 2 : 4)(random);
  if (kind == 0) return boost::json::value(text());
  if (kind == 1) return boost::json::value(std::uniform_int_distribution<int>(-5, 500000)(random));
  if (kind == 2) return boost::json::value(nullptr);
  if (kind == 3) {
    boost::json::array array;
    int size = std::uniform_int_distribution<int>(0, 6)(random);
    for (int i = 0; i < size; ++i) array.push_back(random_value(random, depth + 1));
    return array;
  }
  boost::json::object object;
  int size = std::uniform_int_distribution<int>(0, 6)(random);
  for (int i = 0; i < size; ++i) object[text()] = random_value(random, depth + 1);
  return object;
}

TEST(JsonSplice, FindsEveryMemberOfRandomDocumentsWhereAParserDoes) {
  std::mt19937 random(20261202);
  for (int document = 0; document < 3000; ++document) {
    boost::json::object object;
    int members = std::uniform_int_distribution<int>(1, 6)(random);
    for (int i = 0; i < members; ++i) object["k" + std::to_string(i)] = random_value(random, 0);
    std::string json = boost::json::serialize(object);
    for (const auto& member : object) {
      auto span = find_member(json, member.key());
      ASSERT_TRUE(span) << json;
      std::string_view value = std::string_view(json).substr(span->value_begin, span->value_end - span->value_begin);
      ASSERT_EQ(boost::json::parse(value), member.value()) << json << "\n member " << member.key();
    }
  }
}

// Spaces, tabs and newlines around every structural byte outside strings, so the readers
// meet whitespace wherever JSON allows it.
std::string with_whitespace(std::string_view json, std::mt19937& random) {
  static const char* gaps[] = {"", " ", "\n\t", "  \r\n"};
  auto gap = [&] { return gaps[std::uniform_int_distribution<int>(0, 3)(random)]; };
  std::string out = gap();
  bool in_string = false;
  for (std::size_t i = 0; i < json.size(); ++i) {
    char c = json[i];
    if (in_string) {
      out += c;
      if (c == '\\') {
        out += json[++i];
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    if (c == '"') in_string = true;
    bool structural = c == '{' || c == '}' || c == '[' || c == ']' || c == ':' || c == ',';
    if (structural) out += gap();
    out += c;
    if (structural) out += gap();
  }
  return out + gap();
}

TEST(JsonSplice, FindsTheLastMemberFromTheEndWhereReadingForwardDoes) {
  std::mt19937 random(20261203);
  const char* keys[] = {"usage", "choices", "model", "us\\u0061ge", "x"};
  for (int document = 0; document < 3000; ++document) {
    std::string json = "{";
    int members = std::uniform_int_distribution<int>(0, 6)(random);
    for (int i = 0; i < members; ++i) {
      if (i) json += ',';
      json += '"';
      json += keys[std::uniform_int_distribution<int>(0, 4)(random)];
      json += "\":";
      json += boost::json::serialize(random_value(random, 0));
    }
    json += '}';
    if (document % 2) json = with_whitespace(json, random);
    for (std::string_view key : {"usage", "choices", "model", "x", "absent"}) {
      auto forward = find_member(json, key);
      auto backward = find_last_member(json, key);
      ASSERT_EQ(forward.has_value(), backward.has_value()) << json << "\n key " << key;
      if (!forward) continue;
      ASSERT_EQ(forward->member_begin, backward->member_begin) << json << "\n key " << key;
      ASSERT_EQ(forward->value_begin, backward->value_begin) << json << "\n key " << key;
      ASSERT_EQ(forward->value_end, backward->value_end) << json << "\n key " << key;
    }
  }
}

TEST(JsonSplice, FindsNoLastMemberWhereThereIsNone) {
  for (std::string_view text : {"", " ", "}", "{}", "[1]", R"({"usage")", R"({"a":1,})", R"({"a":{"usage":1}})"}) {
    EXPECT_FALSE(find_last_member(text, "usage")) << text;
  }
}

// Like find_member it trusts the text to be JSON; on text that is not, what it returns
// stays inside the text (the sanitizer build checks the reads).
TEST(JsonSplice, StaysInsideTextThatIsNotJson) {
  for (std::string_view text : {R"("usage":1})", R"(,"usage":1})", R"({"usage":"cut})", R"(\"usage":[}])", R"(]"usage":{})"}) {
    if (auto span = find_last_member(text, "usage")) {
      EXPECT_LE(span->member_begin, span->value_begin);
      EXPECT_LE(span->value_begin, span->value_end);
      EXPECT_LE(span->value_end, text.size());
    }
  }
}

}  // namespace
}  // namespace switchyard::json_splice
