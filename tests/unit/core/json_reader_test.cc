#include "core/json_reader.h"

#include <gtest/gtest.h>

#include <boost/json/basic_parser_impl.hpp>
#include <cmath>
#include <random>
#include <string>
#include <vector>

#include "core/json_events.h"

namespace switchyard::json_events {
namespace {

namespace json = boost::json;

// Every event as text, with a key or string handed over in parts written whole (the two
// readers split them differently, and no handler may care). Doubles are kept aside: the
// reader rounds correctly where basic_parser's default reading may miss by a bit.
class RecordingHandler : public IgnoringHandler {
 public:
  std::string log;
  std::vector<double> doubles;

  bool on_document_begin(error_code&) { return add("begin"); }
  bool on_document_end(error_code&) { return add("end"); }
  bool on_object_begin(error_code&) { return add("{"); }
  bool on_object_end(std::size_t n, error_code&) { return add("}" + std::to_string(n)); }
  bool on_array_begin(error_code&) { return add("["); }
  bool on_array_end(std::size_t n, error_code&) { return add("]" + std::to_string(n)); }
  bool on_key_part(string_view part, std::size_t, error_code&) { return parts_.append(part), true; }
  bool on_key(string_view key, std::size_t n, error_code&) { return add("key:" + whole(key) + "/" + std::to_string(n)); }
  bool on_string_part(string_view part, std::size_t, error_code&) { return parts_.append(part), true; }
  bool on_string(string_view last, std::size_t n, error_code&) { return add("str:" + whole(last) + "/" + std::to_string(n)); }
  bool on_int64(std::int64_t v, string_view text, error_code&) { return add("i:" + std::to_string(v) + "/" + std::string(text)); }
  bool on_uint64(std::uint64_t v, string_view text, error_code&) { return add("u:" + std::to_string(v) + "/" + std::string(text)); }
  bool on_double(double v, string_view text, error_code&) {
    doubles.push_back(v);
    return add("d:" + std::string(text));
  }
  bool on_bool(bool v, error_code&) { return add(v ? "true" : "false"); }
  bool on_null(error_code&) { return add("null"); }

 private:
  bool add(const std::string& event) {
    log += event;
    log += ' ';
    return true;
  }
  // The parts basic_parser handed over before `last`, and `last`.
  std::string whole(string_view last) {
    std::string text = std::move(parts_);
    parts_.clear();
    return text.append(last);
  }

  std::string parts_;
};

struct Reading {
  json::error_code ec;
  RecordingHandler handler;
};

// As boost::json::parse reads a text: bytes after the document are an error.
Reading by_parser(std::string_view text) {
  json::basic_parser<RecordingHandler> parser(json::parse_options{});
  Reading out;
  std::size_t used = parser.write_some(false, text.data(), text.size(), out.ec);
  if (!out.ec && used < text.size()) out.ec = json::error::extra_data;
  out.handler = std::move(parser.handler());
  return out;
}

Reading by_reader(std::string_view text) {
  Reading out;
  read_json(text, out.handler, out.ec);
  return out;
}

// `a` is the reader's, `b` basic_parser's. basic_parser reads a zero with a huge exponent
// ("0.0e400") as zero times infinity, a NaN; the reader reads zero.
bool close_enough(double a, double b) {
  if (std::isnan(b)) return a == 0;
  if (a == b) return std::signbit(a) == std::signbit(b);
  return std::isfinite(a) && std::isfinite(b) && std::fabs(a - b) <= 4 * std::numeric_limits<double>::epsilon() * std::fabs(b);
}

// basic_parser names a bad surrogate pair differently when fewer than eleven bytes follow
// the 'u' of its escape (its slow path); the reader always names it as the fast path does.
// Only for a text with such an escape are the three names taken as one.
json::error_code comparable(json::error_code ec, std::string_view text) {
  bool surrogate_code = ec == json::error::illegal_leading_surrogate || ec == json::error::illegal_trailing_surrogate ||
                        ec == json::error::expected_hex_digit;
  std::size_t escape = text.rfind("\\u");
  bool slow_path_possible = escape != std::string_view::npos && text.size() - (escape + 1) <= 11;
  return surrogate_code && slow_path_possible ? json::error::expected_hex_digit : ec;
}

// The reader against basic_parser on one text: the same verdict, the same error, and for
// a document the same events.
void expect_same_reading(const std::string& text) {
  Reading parser = by_parser(text);
  Reading reader = by_reader(text);
  ASSERT_EQ(comparable(reader.ec, text), comparable(parser.ec, text)) << "text: " << text << "\nreader: " << reader.ec.message()
                                  << "\nparser: " << parser.ec.message();
  if (parser.ec) return;
  ASSERT_EQ(reader.handler.log, parser.handler.log) << text;
  ASSERT_EQ(reader.handler.doubles.size(), parser.handler.doubles.size()) << text;
  for (std::size_t i = 0; i < parser.handler.doubles.size(); ++i) {
    ASSERT_TRUE(close_enough(reader.handler.doubles[i], parser.handler.doubles[i]))
        << text << ": " << reader.handler.doubles[i] << " against " << parser.handler.doubles[i];
  }
}

// Values with what a reader must tell apart: every kind of number and escape, each UTF-8
// length, and strings long enough to be scanned in 16-byte blocks with a stop in the
// first, second or no block.
const char* const kScalars[] = {
    "0", "7", "-12", "-0", "1.5", "-0.0", "0.25e+2", "2e3", "2E-3", "1e400", "-1e400", "1e-400", "0.0001e400",
    "123e-400", "1.7976931348623157e308", "4.9e-324", "0.30000000000000004", "3.141592653589793238462643383279",
    "9223372036854775807", "9223372036854775808", "-9223372036854775808", "-9223372036854775809",
    "18446744073709551615", "18446744073709551616", "123456789012345678901234567890", "1e2147483647", "0.0e400",
    "1e0000000000002", "null", "true", "false", R"("")", R"("chat.completion.chunk")", R"("a b~")", R"("\u00e9")",
    R"("\u00E9\u4e2d")", R"("\ud83d\ude00")", R"("\/\b\f\n\r\t\\\"")", R"("\u0000")", R"("q\"")", "\"\xc3\xa9\"",
    "\"\xe4\xb8\xad\xe6\x96\x87\"", "\"\xf0\x9f\x98\x80\"", "\"\xf4\x8f\xbf\xbf\"", "\"\xed\x9f\xbf\"", "\"\x7f\"",
    R"("0123456789abcdefghijklmnopqrstuv")", R"("0123456789abcdefg\nh")", R"("0123456789abcdefghij\"k")",
    "\"0123456789abcdefghi\xc3\xa9\"", R"("line one\nline two\nline three, long enough to span blocks\n")",
    "\"caf\xc3\xa9 \\\"au lait\\\" \xe2\x80\x94 0123456789abcdef0123456789\\u00e9 done\""};

// And what each must refuse, each for its own reason.
const char* const kBadScalars[] = {
    "01", "-01", "00", "1e", "1e+", "1.", ".5", "-", "+1", "-a", "1e2147483648", "nul", "tru", "fals", "nulll",
    "True", R"("\ud83d")", R"("\ud83dx")", R"("\ud83d\n")", R"("\ude00")", R"("\ud83d\u0041")", R"("\u12")",
    R"("\u12g4")", R"("\x")", "\"\xc3\"", "\"\xc3x\"", "\"\xc0\xaf\"", "\"\xe0\x80\xaf\"", "\"\xed\xa0\x80\"",
    "\"\xf0\x8f\xbf\xbf\"", "\"\xf4\x90\x80\x80\"", "\"\xf5\x80\x80\x80\"", "\"\x80\"", "\"\xff\"", "\"tab\there\"",
    "\"nl\nhere\"", "\"0123456789abcdefghijk\x01\"", "\"0123456789abcdef\\q\"", "\"unclosed"};

const char* const kSpaces[] = {"", "", "", "", "", "", " ", " ", "\n", "\r\n  ", "\t"};

std::string space(std::mt19937& random) {
  if (random() % 200 == 0) return random() % 2 ? "\f" : "\v";  // not JSON whitespace
  return kSpaces[random() % std::size(kSpaces)];
}

std::string scalar(std::mt19937& random) {
  if (random() % 40 == 0) return kBadScalars[random() % std::size(kBadScalars)];
  return kScalars[random() % std::size(kScalars)];
}

std::string random_value(std::mt19937& random, int depth) {
  int kind = static_cast<int>(random() % (depth > 4 ? 1 : 4));
  if (kind == 0) return scalar(random);
  bool is_array = kind == 1;
  std::string out(1, is_array ? '[' : '{');
  int count = static_cast<int>(random() % 5);
  for (int i = 0; i < count; ++i) {
    if (i) out += space(random) + ',';
    out += space(random);
    if (!is_array) out += std::string("\"") + "kid"[random() % 3] + "\"" + space(random) + ":" + space(random);
    out += random_value(random, depth + 1);
  }
  if (count && random() % 40 == 0) out += ',';  // a trailing comma
  out += space(random) + (is_array ? ']' : '}');
  return out;
}

// A text that is often not JSON: cut short, a byte dropped, changed or added, or two values.
std::string damaged(std::mt19937& random, std::string text) {
  switch (random() % 16) {
    case 0: return text.substr(0, random() % (text.size() + 1));
    case 1: return text.empty() ? text : text.erase(random() % text.size(), 1);
    case 2: {
      static const char bytes[] = "{}[]\":,\\ 0-e.nx\x01\x80";
      if (!text.empty()) text[random() % text.size()] = bytes[random() % (sizeof bytes - 1)];
      return text;
    }
    case 3: return text + " " + text;
    default: return space(random) + text + space(random);
  }
}

TEST(JsonReader, AcceptsRefusesAndReportsAsBasicParser) {
  std::mt19937 random(20261202);
  int documents = 0;
  int refused = 0;
  for (int round = 0; round < 40000; ++round) {
    std::string text = damaged(random, random_value(random, 0));
    ASSERT_NO_FATAL_FAILURE(expect_same_reading(text));
    (by_parser(text).ec ? refused : documents) += 1;
  }
  // Both verdicts must be well exercised for the comparison to mean anything.
  EXPECT_GT(documents, 10000);
  EXPECT_GT(refused, 10000);
}

TEST(JsonReader, ReadsDepthUpToBasicParsersLimit) {
  for (int depth : {1, 31, 32, 33, 40}) {
    std::string arrays = std::string(depth, '[') + std::string(depth, ']');
    std::string objects;
    for (int i = 0; i < depth; ++i) objects += "{\"a\":";
    objects += "1" + std::string(depth, '}');
    expect_same_reading(arrays);
    expect_same_reading(objects);
  }
  EXPECT_EQ(by_reader(std::string(33, '[') + std::string(33, ']')).ec, json::error::too_deep);
}

// Each stop a string scan makes (quote, escape, control, UTF-8 lead), at every position
// across the 16-byte blocks, against basic_parser.
TEST(JsonReader, StopsInAStringWhereverTheyAre) {
  const std::string tail = R"(,"and enough after it for every 16-byte block to be read whole"])";
  for (std::string_view stop : {"\\n", "\\u00e9", "\\\"", "\x01", "\xc3\xa9", "\xe2\x80\x94", "\xc3", "\x80", "\t", "\""}) {
    for (std::size_t at = 0; at <= 40; ++at) {
      std::string body(40, 'x');
      body.insert(at, stop);
      ASSERT_NO_FATAL_FAILURE(expect_same_reading("[\"" + body + "\"" + tail));
      ASSERT_NO_FATAL_FAILURE(expect_same_reading("{\"" + body + "\":1}"));
    }
  }
}

TEST(JsonReader, GivesAStringWithoutEscapesAsAViewOfTheInput) {
  struct Views : IgnoringHandler {
    const char* begin = nullptr;
    std::size_t size = 0;
    std::vector<std::pair<std::string, bool>> strings;  // text, and whether it lies in the input
    bool on_string(string_view text, std::size_t, error_code&) {
      strings.emplace_back(std::string(text), text.data() > begin && text.data() < begin + size);
      return true;
    }
  } views;
  std::string text = R"(["plain", "esc\naped", "caf)"
                     "\xc3\xa9"
                     R"("])";
  views.begin = text.data();
  views.size = text.size();
  json::error_code ec;
  ASSERT_TRUE(read_json(text, views, ec));
  ASSERT_EQ(views.strings.size(), 3u);
  EXPECT_EQ(views.strings[0], std::make_pair(std::string("plain"), true));
  EXPECT_EQ(views.strings[1], std::make_pair(std::string("esc\naped"), false));
  EXPECT_EQ(views.strings[2], std::make_pair(std::string("caf\xc3\xa9"), true));
}

TEST(JsonReader, NamesABadSurrogatePairAsBasicParsersFastPathDoes) {
  EXPECT_EQ(by_reader(R"(["\ude00", "and ten bytes more"])").ec, json::error::illegal_leading_surrogate);
  EXPECT_EQ(by_parser(R"(["\ude00", "and ten bytes more"])").ec, json::error::illegal_leading_surrogate);
  EXPECT_EQ(by_reader(R"(["\ud83d\u0041", "and ten bytes more"])").ec, json::error::illegal_trailing_surrogate);
  EXPECT_EQ(by_parser(R"(["\ud83d\u0041", "and ten bytes more"])").ec, json::error::illegal_trailing_surrogate);
  EXPECT_EQ(by_reader(R"(["\ud83d\n", "and ten bytes more"])").ec, json::error::syntax);
  EXPECT_EQ(by_reader(R"(["\u12g4", "and ten bytes more"])").ec, json::error::expected_hex_digit);
}

TEST(JsonReader, StopsWhenACallbackDoesAndKeepsItsReason) {
  struct StopAtTrue : IgnoringHandler {
    int nulls = 0;
    bool on_null(error_code&) { return ++nulls, true; }
    bool on_bool(bool, error_code& ec) {
      ec = json::error::not_number;
      return false;
    }
  } handler;
  json::error_code ec;
  EXPECT_FALSE(read_json("[null,true,null]", handler, ec));
  EXPECT_EQ(ec, json::error::not_number);
  EXPECT_EQ(handler.nulls, 1);

  struct SilentStop : IgnoringHandler {
    bool on_null(error_code&) { return false; }
  } silent;
  EXPECT_FALSE(read_json("[null]", silent, ec));
  EXPECT_EQ(ec, json::error::exception);
}

TEST(JsonReader, ReadsAnExponentNearIntMaxThatBasicParserRefuses) {
  // The one documented difference in verdict: a zero or an infinity, not exponent_overflow.
  for (const char* text : {"1.25e-2147483647", "100000000000000000000e2147483647"}) {
    EXPECT_EQ(by_parser(text).ec, json::error::exponent_overflow) << text;
    Reading reader = by_reader(text);
    ASSERT_FALSE(reader.ec) << text;
    ASSERT_EQ(reader.handler.doubles.size(), 1u);
    EXPECT_TRUE(reader.handler.doubles[0] == 0 || std::isinf(reader.handler.doubles[0])) << text;
  }
  EXPECT_EQ(by_reader("1e2147483648").ec, json::error::exponent_overflow);
}

TEST(JsonReader, ReportsATextEndingAfterThePointAsBasicParserDoes) {
  for (const char* text : {"1.", "-1.", "18446744073709551615.", "18446744073709551616.", "-9223372036854775808.",
                           "-9223372036854775809.", "123456789012345678901234567890."}) {
    EXPECT_EQ(by_reader(text).ec, by_parser(text).ec) << text;
  }
}

TEST(JsonReader, IgnoresWhatTheDocumentsEndReturnsAsBasicParserDoes) {
  struct FalseAtEnd : IgnoringHandler {
    bool on_document_end(error_code&) { return false; }
  } handler;
  json::error_code ec;
  EXPECT_TRUE(read_json("[1]", handler, ec));
  EXPECT_FALSE(ec);
  json::basic_parser<FalseAtEnd> parser(json::parse_options{});
  parser.write_some(false, "[1]", 3, ec);
  EXPECT_FALSE(ec);
}

TEST(JsonReader, ReadsFractionsCorrectlyRounded) {
  RecordingHandler handler;
  json::error_code ec;
  ASSERT_TRUE(read_json("[0.1,0.7,2.5e-5,1e23,-0.0,1e400,-1e400,1e-400,0.0001e400,4.9e-324]", handler, ec));
  std::vector<double> expected = {0.1, 0.7, 2.5e-5, 1e23, -0.0, INFINITY, -INFINITY, 0.0, INFINITY, 4.9e-324};
  ASSERT_EQ(handler.doubles.size(), expected.size());
  for (std::size_t i = 0; i < expected.size(); ++i) {
    EXPECT_EQ(handler.doubles[i], expected[i]) << i;
    EXPECT_EQ(std::signbit(handler.doubles[i]), std::signbit(expected[i])) << i;
  }
}

}  // namespace
}  // namespace switchyard::json_events
