// Where a caller stands against its limits, as the headers its SDK reads: OpenAI's
// x-ratelimit-* for every client, and Anthropic's anthropic-ratelimit-* for Anthropic's.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "core/function_ref.h"
#include "core/rate_limit_status.h"
#include "dialects/dialect.h"

namespace switchyard {

using HeaderSetter = FunctionRef<void(std::string_view name, std::string_view value)>;

// `now` is when the response goes out (Anthropic's reset headers are times, not durations).
void rate_limit_headers(Dialect dialect, const RateLimitStatus& status, std::chrono::system_clock::time_point now,
                        HeaderSetter set);

// OpenAI's spelling of a duration in its reset headers: "20ms", "6s", "1.5s", "6m0s", "1h2m3s".
std::string openai_reset(std::chrono::milliseconds wait);

}  // namespace switchyard
