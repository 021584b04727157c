// Server-sent events: splitting a byte stream into complete frames, and reading a frame's
// fields. The relay forwards whole frames only, so a client never sees half an event,
// even when the upstream dies mid-frame.
#pragma once

#include <string>
#include <string_view>

namespace switchyard::http {

// The end of the first complete frame in `bytes` at or after `from` (just past its blank
// line), or npos when no frame is complete there.
std::size_t sse_frame_end(std::string_view bytes, std::size_t from = 0);

class SseFrameSplitter {
 public:
  // Appends bytes from the upstream.
  void feed(std::string_view bytes) { pending_.append(bytes); }

  // Returns the next complete frame including its terminating blank line, or an empty
  // view when no complete frame is buffered. The view is valid until the next call.
  std::string_view next_frame();

  // Bytes of an incomplete trailing frame (what a truncated stream leaves behind).
  std::size_t pending_bytes() const { return pending_.size() - consumed_; }

 private:
  std::string pending_;
  std::size_t consumed_ = 0;  // bytes of pending_ already handed out as frames
  std::size_t scanned_ = 0;   // bytes of pending_ searched for a frame end so far
};

// One frame's fields, as views into the frame: valid while the frame is. Only data spread
// over several lines is copied, to join them. (Copying every event's data cost as much as
// a translated stream's encoding.)
struct SseEvent {
  std::string_view event;  // value of the "event:" line, if any

  // "data:" lines joined by '\n'.
  std::string_view data() const { return joined_ ? std::string_view(joined_data_) : data_; }

 private:
  friend SseEvent parse_sse_frame(std::string_view frame);
  std::string_view data_;
  std::string joined_data_;
  bool joined_ = false;
};

// Parses one frame (as returned by next_frame). Comment lines (":") are ignored.
SseEvent parse_sse_frame(std::string_view frame);

}  // namespace switchyard::http
