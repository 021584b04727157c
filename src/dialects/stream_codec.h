// The two halves of stream translation. An upstream's SSE events are decoded into canonical
// stream events, which the client's dialect encodes into its own frames.
#pragma once

#include <string>
#include <vector>

#include "core/canonical.h"
#include "http/sse.h"

namespace switchyard {

class StreamDecoder {
 public:
  virtual ~StreamDecoder() = default;
  // Appends the canonical events one upstream SSE event stands for.
  virtual void decode(const http::SseEvent& event, std::vector<canonical::StreamEvent>& out) = 0;
  // Called at the end of the upstream body. Appends the closing events if the upstream
  // said all it needed to but omitted its terminator; returns false when the stream was
  // cut short, which the caller reports as an error.
  virtual bool finish(std::vector<canonical::StreamEvent>& out) = 0;
};

class StreamEncoder {
 public:
  virtual ~StreamEncoder() = default;
  // Appends the client-dialect frames for one canonical event.
  virtual void encode(const canonical::StreamEvent& event, std::string& out) = 0;
};

}  // namespace switchyard
