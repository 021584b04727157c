#include "core/compact_json.h"

#include <gtest/gtest.h>

#include <boost/json/basic_parser_impl.hpp>
#include <random>
#include <string>

#include "core/json_events.h"

namespace switchyard::json_events {
namespace {

namespace json = boost::json;

// Every event as text: what a handler sees, to compare the two readers event by event.
class RecordingHandler : public IgnoringHandler {
 public:
  std::string log;
  bool on_document_begin(error_code&) { return add("begin"); }
  bool on_document_end(error_code&) { return add("end"); }
  bool on_object_begin(error_code&) { return add("{"); }
  bool on_object_end(std::size_t n, error_code&) { return add("}" + std::to_string(n)); }
  bool on_array_begin(error_code&) { return add("["); }
  bool on_array_end(std::size_t n, error_code&) { return add("]" + std::to_string(n)); }
  bool on_key_part(string_view part, std::size_t, error_code&) { return add("keypart:" + std::string(part)); }
  bool on_key(string_view key, std::size_t n, error_code&) { return add("key:" + std::string(key) + "/" + std::to_string(n)); }
  bool on_string_part(string_view part, std::size_t, error_code&) { return add("strpart:" + std::string(part)); }
  bool on_string(string_view text, std::size_t n, error_code&) {
    return add("str:" + std::string(text) + "/" + std::to_string(n));
  }
  bool on_int64(std::int64_t v, string_view text, error_code&) { return add("i:" + std::to_string(v) + "/" + std::string(text)); }
  bool on_uint64(std::uint64_t v, string_view text, error_code&) { return add("u:" + std::to_string(v) + "/" + std::string(text)); }
  bool on_double(double v, string_view text, error_code&) { return add("d:" + std::to_string(v) + "/" + std::string(text)); }
  bool on_bool(bool v, error_code&) { return add(v ? "true" : "false"); }
  bool on_null(error_code&) { return add("null"); }

 private:
  bool add(const std::string& event) {
    log += event;
    log += ' ';
    return true;
  }
};

// What basic_parser makes of `text`: its events, or "invalid".
std::string parser_events(std::string_view text) {
  json::basic_parser<RecordingHandler> parser(json::parse_options{});
  json::error_code ec;
  if (!parse_events(parser, text, ec)) return "invalid";
  return parser.handler().log;
}

std::string random_value(std::mt19937& random, int depth) {
  static const char* scalars[] = {"0", "7", "-12", "123456789012345678", "1234567890123456789", "01", "-0", "1.5", "2e3",
                                  "null", "true", "false", "nul", R"("")", R"("chat.completion.chunk")", R"("a b~")",
                                  R"("\u00e9")", R"("q\"")", "\"\xc3\xa9\"", "\"\x7f\"", "\"tab\there\"",
                                  // long enough for the 16-byte scan, with what stops it past one block
                                  R"("0123456789abcdefghijklmnopqrstuv")", R"("0123456789abcdefg\nh")",
                                  R"("0123456789abcdefghij\"k")", "\"0123456789abcdefghi\xc3\xa9\"",
                                  "\"0123456789abcdefghijk\x01\""};
  int kind = static_cast<int>(random() % (depth > 3 ? 1 : 4));
  if (kind == 0) return scalars[random() % std::size(scalars)];
  std::string out(1, kind == 1 ? '[' : '{');
  int count = static_cast<int>(random() % 4);
  for (int i = 0; i < count; ++i) {
    if (i) out += ',';
    if (kind != 1) out += std::string("\"") + "kid"[random() % 3] + "\":";
    out += random_value(random, depth + 1);
  }
  out += kind == 1 ? ']' : '}';
  if (random() % 30 == 0) out.insert(random() % out.size(), " ");  // whitespace: outside the subset
  return out;
}

TEST(CompactJson, GivesTheParsersEventsOrGivesUp) {
  std::mt19937 random(20261202);
  int accepted = 0;
  for (int round = 0; round < 20000; ++round) {
    std::string text = random_value(random, 0);
    if (random() % 50 == 0) text += "x";  // bytes after the value
    RecordingHandler compact;
    if (parse_compact(text, compact)) {
      ++accepted;
      ASSERT_EQ(compact.log, parser_events(text)) << text;
    }
  }
  EXPECT_GT(accepted, 5000) << "too few documents took the compact reader to compare it";
}

TEST(CompactJson, TakesAnOpenAIChunkAndRefusesWhatIsNotCompactPlainJson) {
  const std::string chunk =
      R"({"id":"chatcmpl-1","object":"chat.completion.chunk","created":1741569952,"model":"gpt-4o-mini",)"
      R"("choices":[{"index":0,"delta":{"content":" Hello"},"logprobs":null,"finish_reason":null}],"usage":null})";
  RecordingHandler handler;
  ASSERT_TRUE(parse_compact(chunk, handler));
  EXPECT_EQ(handler.log, parser_events(chunk));
  for (const char* text : {R"({"a": 1})", R"({"a":"\n"})", "{\"a\":\"\xc3\xa9\"}", R"({"a":1.0})", R"({"a":-0})",
                           R"({"a":1}{)", R"({"a":1)", R"(["a",])", "", R"([[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]])"}) {
    RecordingHandler refused;
    EXPECT_FALSE(parse_compact(text, refused)) << text;
  }
}

TEST(CompactJson, AStringStopsAtAnEscapeControlOrNonAsciiByteWhereverItIs) {
  const std::string tail = R"(,"and enough after it for every 16-byte block to be read whole"])";
  for (std::string_view stop : {"\\n", "\x01", "\xc3\xa9", "\t"}) {
    for (std::size_t at = 0; at <= 40; ++at) {
      std::string body(40, 'x');
      body.insert(at, stop);
      std::string text = "[\"" + body + "\"" + tail;
      RecordingHandler handler;
      EXPECT_FALSE(parse_compact(text, handler)) << "byte " << at << " of " << text;
    }
  }
  std::string plain = "[\"" + std::string(40, 'x') + "\\u007f\"" + tail;  // an escape, even of a plain byte
  RecordingHandler handler;
  EXPECT_FALSE(parse_compact(plain, handler));
}

}  // namespace
}  // namespace switchyard::json_events
