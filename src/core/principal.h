// Who is calling: what the authenticate phase makes of the credential a request presents.
// Admission decides with it what the caller may do; the settle phase records it with every
// outcome. A value, copied freely: it holds ids and a display name, never a secret.
#pragma once

#include <string>
#include <string_view>

namespace switchyard {

struct Principal {
  enum class Kind {
    anonymous,   // no credential required: a gateway without a master key, on loopback only
    master_key,  // the operator's own key
    virtual_key, // a key issued to an application (and, through it, its team)
  };
  Kind kind = Kind::anonymous;
  std::string key_id;   // the virtual key's id; empty otherwise
  std::string team_id;  // the virtual key's team, if it has one
  std::string name;     // for logs and the dashboard: the key's name

  static Principal anonymous() { return {}; }
  static Principal master() { return {Kind::master_key, {}, {}, "master"}; }
};

std::string_view principal_kind_name(Principal::Kind kind);

// Who owns what a principal creates (a stored response): the same caller later, and no one else.
inline std::string owner_of(const Principal& principal) {
  return principal.kind == Principal::Kind::virtual_key ? "key:" + principal.key_id
                                                         : std::string(principal_kind_name(principal.kind));
}

}  // namespace switchyard
