// Virtual keys and teams as the documents the key store keeps (store/key_store.h): JSON,
// with each secret as its SHA-256 in hex, so a stolen database holds no usable key.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "policy/virtual_key.h"

namespace switchyard::policy {

std::string key_document(const VirtualKey& key);
std::string team_document(const Team& team);
// nullopt for a document this version cannot read (the store logs and skips it).
std::optional<VirtualKey> key_from_document(std::string_view document);
std::optional<Team> team_from_document(std::string_view document);

}  // namespace switchyard::policy
