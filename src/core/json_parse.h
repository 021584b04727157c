// Parsing whole JSON documents the way the codecs need it: into an arena (a body), or
// into memory kept from one event of a stream to the next.
#pragma once

#include <boost/json/monotonic_resource.hpp>
#include <boost/json/parser.hpp>
#include <boost/json/value.hpp>
#include <string_view>

namespace switchyard::json_fields {

// Parses a whole body or event into one growing arena: its thousands of small nodes cost
// a few block allocations instead of one malloc each, and freeing it is one step. The
// arena is reference-counted, so a value copied out of the result keeps it alive.
boost::json::value parse_in_arena(std::string_view text, boost::json::error_code& ec);

// Parses a stream's events one after another into memory it keeps: the parser's stack and
// one block list are rewound for each event instead of being set up again (which cost more
// than parsing a 250-byte chunk). A result is valid until the next parse() and must not be
// copied out as a JSON value (copy the strings and numbers it holds).
class EventParser {
 public:
  EventParser();
  const boost::json::value& parse(std::string_view text, boost::json::error_code& ec);

 private:
  unsigned char memory_buffer_[4096];
  unsigned char stack_buffer_[1024];
  boost::json::monotonic_resource memory_;
  boost::json::parser parser_;
  boost::json::value value_;
};

}  // namespace switchyard::json_fields
