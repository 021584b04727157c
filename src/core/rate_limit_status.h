// Where a caller stands against its tightest rate limits after this request was counted:
// what the dialects turn into their rate-limit response headers (x-ratelimit-*,
// anthropic-ratelimit-*), so clients pace themselves before they are refused.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>

namespace switchyard {

struct RateLimitStatus {
  struct Window {
    std::int64_t limit = 0;
    std::int64_t remaining = 0;        // this request already counted
    std::chrono::milliseconds reset{0};  // until the window is whole again
  };
  std::optional<Window> requests;  // none: no request limit applies
  std::optional<Window> tokens;    // none: no token limit applies
};

}  // namespace switchyard
