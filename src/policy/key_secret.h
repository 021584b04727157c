// Making and checking virtual key secrets: `sk-sy-` and 43 characters of base64url (256
// random bits from the operating system's generator), stored only as SHA-256.
#pragma once

#include <string>
#include <string_view>

namespace switchyard::policy {

inline constexpr std::string_view kSecretPrefix = "sk-sy-";

// A new secret from OpenSSL's RAND_bytes; throws if the generator fails (it does not).
std::string new_secret();
// A new random identifier: `prefix` then 16 hex digits (64 bits).
std::string new_identifier(std::string_view prefix);
// The SHA-256 of `secret`, 32 raw bytes. About 300 ns: the digest is fetched once.
std::string secret_hash(std::string_view secret);
// What lists and logs show of a secret: its first 10 characters ("sk-sy-AbCd").
std::string display_prefix(std::string_view secret);

}  // namespace switchyard::policy
