#include "policy/virtual_key.h"

namespace switchyard::policy {

bool allows_model(const std::vector<std::string>& models, std::string_view model) {
  if (models.empty()) return true;
  for (const std::string& allowed : models) {
    if (allowed == model) return true;
    // PROVIDER/*: any PROVIDER/MODEL the client names directly on that provider.
    if (allowed.size() > 2 && allowed.ends_with("/*")) {
      std::string_view provider = std::string_view(allowed).substr(0, allowed.size() - 1);  // "PROVIDER/"
      if (model.size() > provider.size() && model.starts_with(provider)) return true;
    }
  }
  return false;
}

}  // namespace switchyard::policy
