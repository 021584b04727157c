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

// Where a value sits in a request ("messages[2].content"), spelled out only when an error
// names it: decoders make one per element, and hardly any is ever printed. A path made with
// member() or index() refers to its parent, which must outlive it: they cannot be called on
// a temporary, so a chain that would leave a dangling parent does not compile.
class ParamPath {
 public:
  ParamPath(std::string_view text) : text_(text) {}  // NOLINT: a spelled-out path converts
  ParamPath(const char* text) : text_(text) {}       // NOLINT
  ParamPath(const std::string& text) : text_(text) {}  // NOLINT

  ParamPath member(std::string_view key) const& { return ParamPath(this, key, kNoIndex); }
  ParamPath index(std::size_t position) const& { return ParamPath(this, {}, position); }
  ParamPath member(std::string_view key) const&& = delete;
  ParamPath index(std::size_t position) const&& = delete;
  std::string str() const;

 private:
  static constexpr std::size_t kNoIndex = static_cast<std::size_t>(-1);
  ParamPath(const ParamPath* parent, std::string_view key, std::size_t index)
      : parent_(parent), text_(key), index_(index) {}

  const ParamPath* parent_ = nullptr;
  std::string_view text_;
  std::size_t index_ = kNoIndex;
};

// Collects the first type error met while reading a request; later reads become no-ops.
class Reader {
 public:
  std::optional<std::string> string(const boost::json::object& object, std::string_view key, const ParamPath& path);
  std::optional<bool> boolean(const boost::json::object& object, std::string_view key, const ParamPath& path);
  std::optional<double> number(const boost::json::object& object, std::string_view key, const ParamPath& path);
  std::optional<std::int64_t> integer(const boost::json::object& object, std::string_view key, const ParamPath& path);
  const boost::json::object* object(const boost::json::object& object, std::string_view key, const ParamPath& path);
  const boost::json::array* array(const boost::json::object& object, std::string_view key, const ParamPath& path);

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
