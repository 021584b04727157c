// The authenticate phase: the credential a request presents -> who is calling. Today the
// master key (or, on loopback without one, anyone); virtual keys and their teams join here.
// A hash and a table probe in memory: never a database read on the request path.
#pragma once

#include <string_view>

#include "core/principal.h"
#include "core/result.h"
#include "policy/master_key.h"

namespace switchyard::policy {

class Authenticator {
 public:
  // An empty master key admits every caller as anonymous (allowed only on loopback).
  explicit Authenticator(std::string_view master_key) : master_key_(master_key) {}

  // `credential` as the request presented it (empty: none). A refusal is a 401.
  Result<Principal> authenticate(std::string_view credential) const;

  bool requires_key() const { return master_key_.enabled(); }

 private:
  MasterKey master_key_;
};

}  // namespace switchyard::policy
