#include "dialects/rate_limit_headers.h"

#include <ctime>

namespace switchyard {

std::string openai_reset(std::chrono::milliseconds wait) {
  std::int64_t ms = std::max<std::int64_t>(0, wait.count());
  if (ms < 1000) return std::to_string(ms) + "ms";
  std::string out;
  std::int64_t hours = ms / 3'600'000, minutes = ms / 60'000 % 60, seconds = ms / 1000 % 60, millis = ms % 1000;
  if (hours > 0) out += std::to_string(hours) + "h";
  if (hours > 0 || minutes > 0) out += std::to_string(minutes) + "m";
  out += std::to_string(seconds);
  if (millis > 0) {
    std::string fraction = std::to_string(millis);
    fraction.insert(0, 3 - fraction.size(), '0');
    while (fraction.back() == '0') fraction.pop_back();
    out += "." + fraction;
  }
  return out + "s";
}

namespace {

std::string rfc3339(std::chrono::system_clock::time_point time) {
  std::time_t seconds = std::chrono::system_clock::to_time_t(std::chrono::ceil<std::chrono::seconds>(time));
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &utc);
  return text;
}

}  // namespace

void rate_limit_headers(Dialect dialect, const RateLimitStatus& status, std::chrono::system_clock::time_point now,
                        HeaderSetter set) {
  auto openai = [&](std::string_view kind, const RateLimitStatus::Window& window) {
    std::string suffix(kind);
    set("x-ratelimit-limit-" + suffix, std::to_string(window.limit));
    set("x-ratelimit-remaining-" + suffix, std::to_string(window.remaining));
    set("x-ratelimit-reset-" + suffix, openai_reset(window.reset));
  };
  if (status.requests) openai("requests", *status.requests);
  if (status.tokens) openai("tokens", *status.tokens);
  if (dialect != Dialect::anthropic_messages) return;
  auto anthropic = [&](std::string_view kind, const RateLimitStatus::Window& window) {
    std::string prefix = "anthropic-ratelimit-" + std::string(kind);
    set(prefix + "-limit", std::to_string(window.limit));
    set(prefix + "-remaining", std::to_string(window.remaining));
    set(prefix + "-reset", rfc3339(now + window.reset));
  };
  if (status.requests) anthropic("requests", *status.requests);
  if (status.tokens) anthropic("tokens", *status.tokens);
}

}  // namespace switchyard
