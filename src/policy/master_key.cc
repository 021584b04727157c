#include "policy/master_key.h"

#include <openssl/crypto.h>
#include <openssl/sha.h>

namespace switchyard::policy {
namespace {

std::array<unsigned char, 32> sha256(std::string_view text) {
  std::array<unsigned char, 32> digest{};
  SHA256(reinterpret_cast<const unsigned char*>(text.data()), text.size(), digest.data());
  return digest;
}

std::string_view trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

bool starts_with_ignoring_case(std::string_view text, std::string_view prefix) {
  if (text.size() < prefix.size()) return false;
  for (std::size_t i = 0; i < prefix.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(text[i])) != prefix[i]) return false;
  }
  return true;
}

}  // namespace

std::string_view presented_credential(std::string_view authorization, std::string_view x_api_key,
                                      std::string_view x_goog_api_key) {
  authorization = trim(authorization);
  if (starts_with_ignoring_case(authorization, "bearer ")) return trim(authorization.substr(7));
  if (!trim(x_api_key).empty()) return trim(x_api_key);
  return trim(x_goog_api_key);
}

MasterKey::MasterKey(std::string_view key) : enabled_(!key.empty()) {
  if (enabled_) digest_ = sha256(key);
}

bool MasterKey::accepts(std::string_view presented) const {
  if (!enabled_) return true;
  if (presented.empty()) return false;
  auto digest = sha256(presented);
  return CRYPTO_memcmp(digest.data(), digest_.data(), digest.size()) == 0;
}

}  // namespace switchyard::policy
