#include "dialects/anthropic/event_scan.h"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <random>

#include "../random_json.h"
#include <string>

namespace switchyard::anthropic {
namespace {

// What scan_event must find, read from a DOM of the event (the last of repeated keys wins).
std::string dom_scan(std::string_view data) {
  boost::json::error_code ec;
  boost::json::value parsed = boost::json::parse(data, ec);
  if (ec || !parsed.is_object()) return "invalid";
  const boost::json::object& event = parsed.get_object();
  auto string_of = [](const boost::json::object& object, std::string_view key) {
    const boost::json::value* value = object.if_contains(key);
    return value && value->is_string() ? std::string(value->get_string()) : std::string();
  };
  const boost::json::value* index = event.if_contains("index");
  std::size_t at = index && index->is_int64() ? static_cast<std::size_t>(index->get_int64()) : 0;
  const boost::json::value* delta = event.if_contains("delta");
  const boost::json::object* fields = delta && delta->is_object() ? &delta->get_object() : nullptr;
  bool text_delta = fields && string_of(*fields, "type") == "text_delta";
  return "type=" + string_of(event, "type") + " index=" + std::to_string(at) + (text_delta ? " text_delta" : "") +
         " text=" + (fields ? string_of(*fields, "text") : std::string());
}

std::string event_scan(std::string_view data) {
  EventScan scan = scan_event(data);
  if (!scan.valid) return "invalid";
  return "type=" + scan.type + " index=" + std::to_string(scan.index) + (scan.text_delta ? " text_delta" : "") +
         " text=" + scan.text;
}

TEST(AnthropicEventScan, ReadsEventsAsADomWould) {
  const char* events[] = {
      R"({"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hello"}})",
      R"({"type":"content_block_delta","index":2,"delta":{"type":"text_delta","text":"a\n\u00e9\"b"}})",
      R"({"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":"{\"a\""}})",
      R"({"type":"content_block_delta","delta":{"text":"x","type":"text_delta","text":7}})",
      R"({"type":"content_block_delta","delta":{"type":"text_delta","text":"x"},"delta":"later"})",
      R"({"type":"content_block_delta","index":-1,"delta":{"type":"text_delta","text":"x"}})",
      R"({"type":"content_block_delta","index":18446744073709551615,"delta":{"type":"text_delta"}})",
      R"({"type":"content_block_delta","index":1.0,"delta":{"type":["text_delta"],"text":{"t":"x"}}})",
      R"({"type":"message_start","message":{"id":"msg_1","type":"message","content":[],"usage":{"input_tokens":3}}})",
      R"({"type":"message_delta","delta":{"stop_reason":"end_turn","text":"not a block"},"usage":{"output_tokens":9}})",
      R"({"type":7,"type":"ping"})",
      R"([{"type":"ping"}])",
      R"({"type":"ping"} )",
      R"({"type":"ping"} x)",
      R"({"type":)",
      "",
  };
  for (const char* event : events) EXPECT_EQ(event_scan(event), dom_scan(event)) << event;

  std::mt19937 random(5);
  const char* values[] = {R"("text_delta")", R"("content_block_delta")", R"("s\"x")", "3", "-2", "null", "[]", "{}",
                          R"({"type":"text_delta","text":"t"})", R"({"type":"text_delta"})", R"({"text":"t","type":"x"})",
                          R"({"type":"text_delta","text":{"text":"deep"}})", R"([{"type":"text_delta","text":"t"}])"};
  const char* keys[] = {"type", "index", "delta", "text", "message"};
  for (int round = 0; round < 5000; ++round) {
    std::string event = testing::random_object(random, keys, values, 5);
    ASSERT_EQ(event_scan(event), dom_scan(event)) << event;
  }
}

TEST(AnthropicEventScan, ReadsTheCompactTextDeltaAsADomWould) {
  // Anthropic's own form of every text delta, which the scan reads without a parser, and
  // near misses it must leave to the parser.
  const std::string head = R"({"type":"content_block_delta","index":)";
  const std::string middle = R"(,"delta":{"type":"text_delta","text":")";
  std::mt19937 random(7);
  const std::string alphabet = std::string("ab Z09!?.,;:{}[]'~") + "\"\\\x01\x7f\xc3\xa9";
  const char* indexes[] = {"0", "3", "17", "007", "123456789", "1234567890", "-1", "1.5", ""};
  for (int round = 0; round < 5000; ++round) {
    std::string text;
    int length = static_cast<int>(random() % 12);
    for (int i = 0; i < length; ++i) text += alphabet[random() % (random() % 4 == 0 ? alphabet.size() : 18)];
    std::string event = head + indexes[random() % std::size(indexes)] + middle + text + R"("}})";
    switch (random() % 8) {
      case 0: event += " "; break;
      case 1: event.insert(head.size() - 1, " "); break;
      case 2: event.pop_back(); break;
      case 3: event += "}"; break;
      default: break;
    }
    ASSERT_EQ(event_scan(event), dom_scan(event)) << event;
  }
  EXPECT_EQ(event_scan(head + "2" + middle + "Hel lo" + R"("}})"), "type=content_block_delta index=2 text_delta text=Hel lo");
}

}  // namespace
}  // namespace switchyard::anthropic
