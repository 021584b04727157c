// Parsing whole JSON documents the way the codecs need it: into an arena (a body), or
// into memory kept from one event of a stream to the next. Both read with
// json_events::read_json (core/json_reader.h) and build the tree with Boost.JSON's
// value_stack, which is what boost::json::parse does over its own, slower parser.
#pragma once

#include <boost/json/monotonic_resource.hpp>
#include <boost/json/value.hpp>
#include <boost/json/value_stack.hpp>
#include <string_view>

namespace switchyard::json_fields {

// `text` as a tree in `storage`, or null with the reason in `ec`: boost::json::parse's
// result, but for the differences json_reader.h lists (fractions correctly rounded, among
// them).
boost::json::value parse_document(std::string_view text, boost::json::error_code& ec,
                                  boost::json::storage_ptr storage = {});

// A whole body parsed into an arena the document owns: its hundreds of small nodes cost a
// few block allocations instead of one malloc each. The arena is not shared, so no node
// holds a reference count and the tree is never walked to be destroyed: freeing the
// document is freeing its blocks.
//
// Values in it live as long as the document. Copy one out by assignment (which takes the
// destination's memory: `tool.parameters = *schema`), never by copy construction.
class ParsedJson {
 public:
  explicit ParsedJson(std::string_view text);
  ParsedJson(const ParsedJson&) = delete;
  ParsedJson& operator=(const ParsedJson&) = delete;

  const boost::json::error_code& error() const { return error_; }
  boost::json::value& root() { return root_; }

 private:
  boost::json::monotonic_resource arena_;
  boost::json::error_code error_;
  boost::json::value root_;
};

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
  boost::json::value_stack stack_;
  boost::json::value value_;
};

}  // namespace switchyard::json_fields
