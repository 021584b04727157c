#include "core/json_parse.h"

#include <algorithm>

#include "core/json_events.h"
#include "core/json_reader.h"

namespace switchyard::json_fields {
namespace {

// The reader's events, pushed onto a value_stack as boost::json::parser's own handler does.
class TreeBuilder : public json_events::IgnoringHandler {
 public:
  explicit TreeBuilder(boost::json::value_stack& stack) : stack_(stack) {}

  bool on_object_end(std::size_t n, error_code&) { return stack_.push_object(n), true; }
  bool on_array_end(std::size_t n, error_code&) { return stack_.push_array(n), true; }
  bool on_key(string_view key, std::size_t, error_code&) { return stack_.push_key(key), true; }
  bool on_string(string_view text, std::size_t, error_code&) { return stack_.push_string(text), true; }
  bool on_int64(std::int64_t v, string_view, error_code&) { return stack_.push_int64(v), true; }
  bool on_uint64(std::uint64_t v, string_view, error_code&) { return stack_.push_uint64(v), true; }
  bool on_double(double v, string_view, error_code&) { return stack_.push_double(v), true; }
  bool on_bool(bool v, error_code&) { return stack_.push_bool(v), true; }
  bool on_null(error_code&) { return stack_.push_null(), true; }

 private:
  boost::json::value_stack& stack_;
};

// Reads `text` onto `stack`, reset to build in `storage`.
boost::json::value build(boost::json::value_stack& stack, std::string_view text, boost::json::error_code& ec,
                         boost::json::storage_ptr storage) {
  stack.reset(std::move(storage));
  TreeBuilder builder(stack);
  if (!json_events::read_json(text, builder, ec)) return nullptr;
  return stack.release();
}

}  // namespace

boost::json::value parse_document(std::string_view text, boost::json::error_code& ec, boost::json::storage_ptr storage) {
  unsigned char buffer[1024];
  boost::json::value_stack stack(boost::json::storage_ptr(), buffer, sizeof buffer);
  return build(stack, text, ec, std::move(storage));
}

// The first block holds a typical body's tree (nodes take about as many bytes as the text
// they came from); larger ones grow it geometrically.
ParsedJson::ParsedJson(std::string_view text)
    : arena_(std::max<std::size_t>(1024, text.size() * 2)), root_(parse_document(text, error_, &arena_)) {}

EventParser::EventParser()
    : memory_(memory_buffer_, sizeof memory_buffer_),
      stack_(boost::json::storage_ptr(), stack_buffer_, sizeof stack_buffer_),
      value_(&memory_) {}

const boost::json::value& EventParser::parse(std::string_view text, boost::json::error_code& ec) {
  value_ = nullptr;   // the last event, before its memory is reused
  memory_.release();  // keeps the inline buffer; drops blocks a large event needed
  value_ = build(stack_, text, ec, &memory_);
  return value_;
}

}  // namespace switchyard::json_fields
