#include "policy/master_key.h"

namespace switchyard::policy {
namespace {

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

MasterKey::MasterKey(std::string_view key) : key_(key) {}

bool MasterKey::accepts(std::string_view presented) const {
  if (key_.empty()) return true;
  if (presented.empty()) return false;
  // Every byte of the configured key is compared, whatever the presented one holds, so
  // the time taken says nothing about how much of it matched. (A SHA-256 of both did the
  // same at 60 times the cost: OpenSSL 3 fetches the digest on every one-shot call.)
  unsigned difference = presented.size() != key_.size();
  for (std::size_t i = 0; i < key_.size(); ++i) {
    difference |= static_cast<unsigned char>(key_[i] ^ presented[i % presented.size()]);
  }
  return difference == 0;
}

}  // namespace switchyard::policy
