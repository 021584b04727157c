// The admin ("master") key: when configured, every API request must present it.
// Virtual keys, per-key model access and limits build on this admission step later.
#pragma once

#include <array>
#include <string>
#include <string_view>

namespace switchyard::policy {

// The credential a client presented, from whichever header its SDK uses:
// `Authorization: Bearer` (OpenAI, Anthropic 2026-10-21), `x-api-key` (Anthropic) or
// `x-goog-api-key` (Gemini). Empty when none is present.
std::string_view presented_credential(std::string_view authorization, std::string_view x_api_key,
                                      std::string_view x_goog_api_key);

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
