// The authenticate phase: the credential a request presents -> who is calling: the master
// key, a virtual key (and through it its team), or, on loopback without a master key,
// anyone. A hash and a table probe in memory: never a database read on the request path.
#pragma once

#include <string_view>

#include "core/principal.h"
#include "core/result.h"
#include "policy/master_key.h"

namespace switchyard::policy {

class KeyDirectory;

class Authenticator {
 public:
  // An empty master key admits every caller as anonymous (allowed only on loopback); a
  // virtual key presented there is still recognised, so its limits hold.
  explicit Authenticator(std::string_view master_key) : master_key_(master_key) {}

  // `credential` as the request presented it (empty: none); `keys` the virtual keys (null:
  // none). A refusal is a 401.
  Result<Principal> authenticate(std::string_view credential, const KeyDirectory* keys) const;

  bool requires_key() const { return master_key_.enabled(); }

 private:
  MasterKey master_key_;
};

}  // namespace switchyard::policy
