// Virtual keys and teams as the gateway keeps them: who may call, which models they may
// use and under which limits. A key's secret is never kept, only its SHA-256 (the secret
// has 256 bits of randomness, so a fast hash is as strong as a slow one) and a short
// display prefix.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "policy/limits.h"

namespace switchyard::policy {

// What a presented secret is checked against: its SHA-256 (32 raw bytes) and, for a
// secret replaced by a rotation, when it stops working.
struct SecretHash {
  std::string sha256;
  std::optional<std::int64_t> valid_until;  // seconds since the epoch; none: until rotated
};

struct Team {
  std::string id;  // team_…
  std::string name;
  std::vector<std::string> models;  // empty: every model
  Limits limits;
  std::string metadata = "{}";  // a JSON object, the operator's own
  std::int64_t created_at = 0;  // seconds since the epoch
  bool revoked = false;         // a revoked team's keys stop working
};

struct VirtualKey {
  std::string id;  // key_…
  std::string name;
  std::string team_id;  // empty: no team
  std::vector<std::string> models;  // aliases and PROVIDER/* patterns; empty: every model
  Limits limits;
  std::optional<std::int64_t> expires_at;
  std::string metadata = "{}";
  std::string key_prefix;           // the secret's first characters, for people to tell keys apart
  std::vector<SecretHash> secrets;  // the current one first, then any in their grace period
  std::int64_t created_at = 0;
  bool revoked = false;
  bool from_config = false;  // declared in the configuration file: read-only in the API
};

// Whether `models` (a key's or a team's list) lets a caller use `model`, as the client
// named it: an alias listed by name, or PROVIDER/MODEL under a listed PROVIDER/*. An empty
// list allows everything.
bool allows_model(const std::vector<std::string>& models, std::string_view model);

}  // namespace switchyard::policy
