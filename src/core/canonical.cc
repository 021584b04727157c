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

}  // namespace switchyard::canonical
