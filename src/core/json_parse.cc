#include "core/json_parse.h"

#include <algorithm>
#include <boost/json/parse.hpp>

namespace switchyard::json_fields {

// The first block holds a typical body's tree (nodes take about as many bytes as the text
// they came from); larger ones grow it geometrically.
ParsedJson::ParsedJson(std::string_view text)
    : arena_(std::max<std::size_t>(1024, text.size() * 2)), root_(boost::json::parse(text, error_, &arena_)) {}

EventParser::EventParser()
    : memory_(memory_buffer_, sizeof memory_buffer_),
      parser_(boost::json::storage_ptr(), boost::json::parse_options{}, stack_buffer_, sizeof stack_buffer_),
      value_(&memory_) {}

const boost::json::value& EventParser::parse(std::string_view text, boost::json::error_code& ec) {
  value_ = nullptr;   // the last event, before its memory is reused
  memory_.release();  // keeps the inline buffer; drops blocks a large event needed
  parser_.reset(&memory_);
  parser_.write(text.data(), text.size(), ec);
  if (!ec) value_ = parser_.release();
  return value_;
}

}  // namespace switchyard::json_fields
