// Requests and streams in progress across the process, for the metrics' gauges. Updated
// by the settle machinery (a request in flight from its first byte to its settlement, a
// stream open from its first event to its settlement).
#pragma once

#include <atomic>
#include <cstdint>

namespace switchyard {

struct RequestGauges {
  std::atomic<std::int64_t> in_flight{0};
  std::atomic<std::int64_t> open_streams{0};
};

inline RequestGauges& request_gauges() {
  static RequestGauges gauges;
  return gauges;
}

}  // namespace switchyard
