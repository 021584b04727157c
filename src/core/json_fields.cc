#include "core/json_fields.h"

namespace switchyard::json_fields {
namespace json = boost::json;

namespace {

// Records "'PATH' must be ..." for the value at `path`.
void fail_with_type(Reader& reader, const ParamPath& path, std::string_view must_be) {
  std::string where = path.str();
  reader.fail(where, "'" + where + "' " + std::string(must_be));
}

const json::value* present(const json::object& object, std::string_view key) {
  const json::value* value = object.if_contains(key);
  return value && !value->is_null() ? value : nullptr;
}

}  // namespace

void Reader::fail(std::string_view path, std::string message) {
  if (error_) return;
  error_ = make_error(ErrorKind::invalid_request, std::move(message), "invalid_request", std::string(path));
}

std::optional<std::string> Reader::string(const json::object& object, std::string_view key, const ParamPath& path) {
  const json::value* value = present(object, key);
  if (!value) return std::nullopt;
  if (!value->is_string()) {
    fail_with_type(*this, path.member(key), "must be a string");
    return std::nullopt;
  }
  return std::string(value->get_string());
}

std::optional<bool> Reader::boolean(const json::object& object, std::string_view key, const ParamPath& path) {
  const json::value* value = present(object, key);
  if (!value) return std::nullopt;
  if (!value->is_bool()) {
    fail_with_type(*this, path.member(key), "must be a boolean");
    return std::nullopt;
  }
  return value->get_bool();
}

std::optional<double> Reader::number(const json::object& object, std::string_view key, const ParamPath& path) {
  const json::value* value = present(object, key);
  if (!value) return std::nullopt;
  if (value->is_double()) return value->get_double();
  if (value->is_int64()) return static_cast<double>(value->get_int64());
  if (value->is_uint64()) return static_cast<double>(value->get_uint64());
  fail_with_type(*this, path.member(key), "must be a number");
  return std::nullopt;
}

std::optional<std::int64_t> Reader::integer(const json::object& object, std::string_view key, const ParamPath& path) {
  const json::value* value = present(object, key);
  if (!value) return std::nullopt;
  if (value->is_int64()) return value->get_int64();
  if (value->is_uint64() && value->get_uint64() <= static_cast<std::uint64_t>(INT64_MAX)) {
    return static_cast<std::int64_t>(value->get_uint64());
  }
  if (value->is_double() && value->get_double() == static_cast<double>(static_cast<std::int64_t>(value->get_double()))) {
    return static_cast<std::int64_t>(value->get_double());
  }
  fail_with_type(*this, path.member(key), "must be an integer");
  return std::nullopt;
}

const json::object* Reader::object(const json::object& object, std::string_view key, const ParamPath& path) {
  const json::value* value = present(object, key);
  if (!value) return nullptr;
  if (!value->is_object()) {
    fail_with_type(*this, path.member(key), "must be an object");
    return nullptr;
  }
  return &value->get_object();
}

const json::array* Reader::array(const json::object& object, std::string_view key, const ParamPath& path) {
  const json::value* value = present(object, key);
  if (!value) return nullptr;
  if (!value->is_array()) {
    fail_with_type(*this, path.member(key), "must be an array");
    return nullptr;
  }
  return &value->get_array();
}

std::string string_or_empty(const json::object& object, std::string_view key) {
  const json::value* value = object.if_contains(key);
  return value && value->is_string() ? std::string(value->get_string()) : std::string();
}

std::int64_t int_or_zero(const json::object& object, std::string_view key) {
  const json::value* value = object.if_contains(key);
  if (!value) return 0;
  if (value->is_int64()) return value->get_int64();
  if (value->is_uint64()) return static_cast<std::int64_t>(value->get_uint64());
  return 0;
}

const json::object* object_or_null(const json::object& object, std::string_view key) {
  const json::value* value = object.if_contains(key);
  return value && value->is_object() ? &value->get_object() : nullptr;
}

std::string ParamPath::str() const {
  if (!parent_) return std::string(text_);
  std::string parent = parent_->str();
  return index_ == kNoIndex ? join_path(parent, text_) : index_path(parent, index_);
}

std::string join_path(std::string_view parent, std::string_view key) {
  if (parent.empty()) return std::string(key);
  return std::string(parent) + "." + std::string(key);
}

std::string index_path(std::string_view parent, std::size_t index) {
  return std::string(parent) + "[" + std::to_string(index) + "]";
}

}  // namespace switchyard::json_fields
