#include "policy/authenticator.h"

#include <chrono>

#include "policy/key_directory.h"
#include "policy/key_secret.h"

namespace switchyard::policy {

Result<Principal> Authenticator::authenticate(std::string_view credential, const KeyDirectory* keys) const {
  if (master_key_.enabled() && master_key_.accepts(credential)) return Principal::master();
  if (keys && !credential.empty()) {
    auto now = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch());
    if (auto match = keys->find(credential, now.count())) {
      const VirtualKey& key = match->entry->key;
      return Principal{Principal::Kind::virtual_key, key.id, key.team_id, key.name};
    }
  }
  // Without a master key anyone on loopback may call, but a key of ours that no longer
  // works (revoked, expired) is refused, not let through as anonymous.
  if (!master_key_.enabled() && !credential.starts_with(kSecretPrefix)) return Principal::anonymous();
  return make_error(ErrorKind::authentication,
                    credential.empty() ? "Missing API key. Send it as 'Authorization: Bearer <key>'."
                                       : "Incorrect API key provided.",
                    "invalid_api_key");
}

}  // namespace switchyard::policy
