#include "policy/authenticator.h"

namespace switchyard::policy {

Result<Principal> Authenticator::authenticate(std::string_view credential) const {
  if (!master_key_.enabled()) return Principal::anonymous();
  if (master_key_.accepts(credential)) return Principal::master();
  return make_error(ErrorKind::authentication,
                    credential.empty() ? "Missing API key. Send it as 'Authorization: Bearer <key>'."
                                       : "Incorrect API key provided.",
                    "invalid_api_key");
}

}  // namespace switchyard::policy
