#include "http/sse.h"

#include <cstring>

namespace switchyard::http {
namespace {

// Finds the end of the first frame in `s`, looking from `from` on: the position just past
// a blank line ("\n\n", "\r\n\r\n" or "\r\r"), or npos. memchr finds the rare line ends;
// the byte-by-byte loop this replaces was a third of a relayed stream's CPU.
std::size_t frame_end(std::string_view s, std::size_t from) {
  const char* begin = s.data();
  const char* end = begin + s.size();
  std::size_t found = std::string_view::npos;
  for (const char* p = begin + from; p < end;) {
    const char* newline = static_cast<const char*>(std::memchr(p, '\n', static_cast<std::size_t>(end - p)));
    if (!newline) break;
    if (newline + 1 < end && newline[1] == '\n') {
      found = static_cast<std::size_t>(newline - begin) + 2;
      break;
    }
    if (newline + 2 < end && newline[1] == '\r' && newline[2] == '\n') {
      found = static_cast<std::size_t>(newline - begin) + 3;
      break;
    }
    p = newline + 1;
  }
  // Old Mac line ends ("\r\r") are rare, so look for them only when a CR is there at all.
  std::size_t limit = found == std::string_view::npos ? s.size() : found;
  for (const char* p = begin + from; p < begin + limit;) {
    const char* cr = static_cast<const char*>(std::memchr(p, '\r', static_cast<std::size_t>(begin + limit - p)));
    if (!cr) break;
    if (cr + 1 < end && cr[1] == '\r') return static_cast<std::size_t>(cr - begin) + 2;
    p = cr + 1;
  }
  return found;
}

// The first CR or LF in `s`, or npos. (string_view::find_first_of calls memchr over the
// set for every byte: on a translated stream that was the biggest single cost.)
std::size_t line_end(std::string_view s) {
  const void* lf = std::memchr(s.data(), '\n', s.size());
  std::size_t end = lf ? static_cast<std::size_t>(static_cast<const char*>(lf) - s.data()) : s.size();
  const void* cr = std::memchr(s.data(), '\r', end);
  if (cr) return static_cast<std::size_t>(static_cast<const char*>(cr) - s.data());
  return lf ? end : std::string_view::npos;
}

}  // namespace

std::size_t sse_frame_end(std::string_view bytes, std::size_t from) { return frame_end(bytes, from); }

std::string_view SseFrameSplitter::next_frame() {
  // Compact lazily: frames handed out earlier must stay valid until this call.
  if (consumed_ > 0 && consumed_ == pending_.size()) {
    pending_.clear();
    consumed_ = 0;
    scanned_ = 0;
  } else if (consumed_ > 64 * 1024 && consumed_ * 2 > pending_.size()) {
    pending_.erase(0, consumed_);
    scanned_ -= consumed_;
    consumed_ = 0;
  }
  std::string_view rest(pending_);
  rest.remove_prefix(consumed_);
  // Resume where the last search stopped (less two bytes, which may begin a blank line),
  // so a frame arriving in many small pieces is not rescanned from its start each time.
  std::size_t resume = scanned_ > consumed_ + 2 ? scanned_ - consumed_ - 2 : 0;
  std::size_t end = frame_end(rest, resume);
  if (end == std::string_view::npos) {
    scanned_ = pending_.size();
    return {};
  }
  consumed_ += end;
  scanned_ = consumed_;
  return rest.substr(0, end);
}

SseEvent parse_sse_frame(std::string_view frame) {
  SseEvent event;
  bool has_data = false;
  while (!frame.empty()) {
    std::size_t eol = line_end(frame);
    std::string_view line = frame.substr(0, eol);
    if (eol == std::string_view::npos) {
      frame = {};
    } else {
      std::size_t skip = (frame[eol] == '\r' && eol + 1 < frame.size() && frame[eol + 1] == '\n') ? 2 : 1;
      frame.remove_prefix(eol + skip);
    }
    if (line.empty() || line.front() == ':') continue;
    std::size_t colon = line.find(':');
    std::string_view field = line.substr(0, colon);
    std::string_view value = colon == std::string_view::npos ? std::string_view{} : line.substr(colon + 1);
    if (!value.empty() && value.front() == ' ') value.remove_prefix(1);
    if (field == "data") {
      if (!has_data) {
        event.data_ = value;
      } else {
        if (!event.joined_) event.joined_data_.assign(event.data_);
        event.joined_ = true;
        event.joined_data_ += '\n';
        event.joined_data_.append(value);
      }
      has_data = true;
    } else if (field == "event") {
      event.event = value;
    }
  }
  return event;
}

}  // namespace switchyard::http
