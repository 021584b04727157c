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

// For decoders whose wire format has no blocks of its own (OpenAI, Gemini): hands out
// dense block indexes and keeps at most one block open, as canonical streams require.
class BlockSequencer {
 public:
  // Closes the open block, if any, and opens one of `kind`; returns its index.
  std::size_t open(canonical::BlockKind kind, std::vector<canonical::StreamEvent>& out, std::string tool_call_id = {},
                   std::string tool_name = {}) {
    close(out);
    open_ = true;
    kind_ = kind;
    index_ = next_++;
    out.push_back(canonical::BlockStart{index_, kind, std::move(tool_call_id), std::move(tool_name)});
    return index_;
  }
  void close(std::vector<canonical::StreamEvent>& out) {
    if (!open_) return;
    out.push_back(canonical::BlockStop{index_});
    open_ = false;
  }
  // The index of the open block of `kind`, opening one if another kind (or none) is open.
  std::size_t ensure(canonical::BlockKind kind, std::vector<canonical::StreamEvent>& out) {
    return open_ && kind_ == kind ? index_ : open(kind, out);
  }

 private:
  bool open_ = false;
  canonical::BlockKind kind_ = canonical::BlockKind::text;
  std::size_t index_ = 0;
  std::size_t next_ = 0;
};

class StreamEncoder {
 public:
  virtual ~StreamEncoder() = default;
  // Appends the client-dialect frames for one canonical event.
  virtual void encode(const canonical::StreamEvent& event, std::string& out) = 0;
  // The whole answer the stream told, for dialects whose stream ends by restating it (the
  // Responses API's response.completed); empty for the others.
  virtual std::string final_answer() const { return {}; }
};

}  // namespace switchyard
