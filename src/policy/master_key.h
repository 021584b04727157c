// The admin ("master") key: when configured, every API request must present it.
#pragma once

#include <string>
#include <string_view>

namespace switchyard::policy {

class MasterKey {
 public:
  // An empty key disables authentication (allowed only on loopback; main checks that).
  explicit MasterKey(std::string_view key);

  bool enabled() const { return !key_.empty(); }

  // Constant time in the content of both keys: the time depends on the configured key's
  // length only.
  bool accepts(std::string_view presented) const;

 private:
  std::string key_;
};

}  // namespace switchyard::policy
