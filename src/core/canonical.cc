#include "core/canonical.h"

namespace switchyard::canonical {

bool Unsupported::note(std::string_view param, std::string_view target_dialect) {
  if (options_.unsupported == UnsupportedParams::drop) {
    dropped_.emplace_back(param);
    return true;
  }
  if (!error_) {
    error_ = make_error(ErrorKind::invalid_request,
                        "'" + std::string(param) + "' is not supported by provider '" + options_.provider + "' (" +
                            std::string(target_dialect) +
                            " API); remove it, or set unsupported_params: drop on the deployment",
                        "unsupported_parameter", std::string(param));
  }
  return false;
}

namespace {

bool equals(const boost::json::value& value, const std::variant<bool, std::int64_t, std::string_view>& wanted) {
  if (const bool* flag = std::get_if<bool>(&wanted)) return value.is_bool() && value.get_bool() == *flag;
  if (const std::int64_t* number = std::get_if<std::int64_t>(&wanted)) {
    if (value.is_int64()) return value.get_int64() == *number;
    if (value.is_uint64()) return *number >= 0 && value.get_uint64() == static_cast<std::uint64_t>(*number);
    return value.is_double() && value.get_double() == static_cast<double>(*number);
  }
  return value.is_string() && value.get_string() == std::get<std::string_view>(wanted);
}

bool asks_for_nothing(std::string_view key, const boost::json::value& value, std::span<const DocumentedDefault> defaults) {
  if (value.is_null()) return true;
  if (value.is_array()) return value.get_array().empty();
  if (value.is_object()) return value.get_object().empty();
  for (const DocumentedDefault& documented : defaults) {
    if (documented.key == key) return equals(value, documented.value);
  }
  return false;
}

}  // namespace

void keep_extension(boost::json::object& extensions, std::string_view key, const boost::json::value& value,
                    std::span<const DocumentedDefault> defaults) {
  if (!asks_for_nothing(key, value, defaults)) extensions.emplace(key, value);
}

}  // namespace switchyard::canonical
