// Typed reads of JSON object members for the codecs: each returns nullopt when the member
// is absent or null, and sets `error` (naming the parameter path) when it has the wrong type.
#pragma once

#include <boost/json/object.hpp>
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

// Lenient reads for decoding what upstreams send, where an absent or odd member just
// means "none": the string or "", the integer or 0, the object or nullptr.
std::string string_or_empty(const boost::json::object& object, std::string_view key);
std::int64_t int_or_zero(const boost::json::object& object, std::string_view key);
const boost::json::object* object_or_null(const boost::json::object& object, std::string_view key);
std::string index_path(std::string_view parent, std::size_t index);

}  // namespace switchyard::json_fields
