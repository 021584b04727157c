// Typed reads of JSON object members for the codecs: each returns nullopt when the member
// is absent or null, and sets `error` (naming the parameter path) when it has the wrong type.
#pragma once

#include <boost/json/monotonic_resource.hpp>
#include <boost/json/object.hpp>
#include <boost/json/parser.hpp>
#include <boost/json/value.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/error.h"

namespace switchyard::json_fields {

// Collects the first type error met while reading a request; later reads become no-ops.
class Reader {
 public:
  std::optional<std::string> string(const boost::json::object& object, std::string_view key, std::string_view path);
  std::optional<bool> boolean(const boost::json::object& object, std::string_view key, std::string_view path);
  std::optional<double> number(const boost::json::object& object, std::string_view key, std::string_view path);
  std::optional<std::int64_t> integer(const boost::json::object& object, std::string_view key, std::string_view path);
  const boost::json::object* object(const boost::json::object& object, std::string_view key, std::string_view path);
  const boost::json::array* array(const boost::json::object& object, std::string_view key, std::string_view path);

  // Records an error for `path` unless one is already recorded.
  void fail(std::string_view path, std::string message);

  bool ok() const { return !error_; }
  const std::optional<GatewayError>& error() const { return error_; }

 private:
  std::optional<GatewayError> error_;
};

std::string join_path(std::string_view parent, std::string_view key);

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

// Lenient reads for decoding what upstreams send, where an absent or odd member just
// means "none": the string or "", the integer or 0, the object or nullptr.
std::string string_or_empty(const boost::json::object& object, std::string_view key);
std::int64_t int_or_zero(const boost::json::object& object, std::string_view key);
const boost::json::object* object_or_null(const boost::json::object& object, std::string_view key);
std::string index_path(std::string_view parent, std::size_t index);

}  // namespace switchyard::json_fields
