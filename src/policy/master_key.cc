#include "policy/master_key.h"

namespace switchyard::policy {

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
