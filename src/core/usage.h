// Token usage as the upstream reported it, in the canonical split every dialect maps into.
#pragma once

#include <cstdint>

namespace switchyard {

struct Usage {
  std::int64_t input_tokens = 0;        // includes cache reads, as OpenAI counts prompt tokens
  std::int64_t output_tokens = 0;       // includes reasoning tokens
  std::int64_t cache_read_tokens = 0;
  std::int64_t cache_write_tokens = 0;
  std::int64_t reasoning_tokens = 0;
  bool reported = false;                // false when the upstream never told us
  // Not reported but counted from what was relayed (a stream cut before its usage came).
  bool estimated = false;
};

}  // namespace switchyard
