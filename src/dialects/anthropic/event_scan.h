// Reads Anthropic's commonest stream event, a content_block_delta carrying a text_delta,
// off the parser's events, for translating Anthropic streams: a DOM of every event cost
// more than everything else the translation does. Other events go to the full decoder.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace switchyard::anthropic {

struct EventScan {
  bool valid = false;       // JSON, and an object
  std::string type;         // the data's own "type", empty unless a string
  bool text_delta = false;  // "delta" is an object whose "type" is "text_delta"
  std::size_t index = 0;    // "index" when an integer that fits, else 0
  std::string text;         // delta.text, decoded; empty unless a string
};

EventScan scan_event(std::string_view data);

}  // namespace switchyard::anthropic
