#include "http/sse.h"

namespace switchyard::http {
namespace {

// Finds the end of the first frame in `s`: the position just past a blank line
// ("\n\n", "\r\n\r\n" or "\r\r"), or npos.
std::size_t frame_end(std::string_view s) {
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\n') {
      if (i + 1 < s.size() && s[i + 1] == '\n') return i + 2;
      if (i + 2 < s.size() && s[i + 1] == '\r' && s[i + 2] == '\n') return i + 3;
    } else if (s[i] == '\r' && i + 1 < s.size() && s[i + 1] == '\r') {
      return i + 2;
    }
  }
  return std::string_view::npos;
}

}  // namespace

std::string_view SseFrameSplitter::next_frame() {
  // Compact lazily: frames handed out earlier must stay valid until this call.
  if (consumed_ > 0 && consumed_ == pending_.size()) {
    pending_.clear();
    consumed_ = 0;
  } else if (consumed_ > 64 * 1024 && consumed_ * 2 > pending_.size()) {
    pending_.erase(0, consumed_);
    consumed_ = 0;
  }
  std::string_view rest(pending_);
  rest.remove_prefix(consumed_);
  std::size_t end = frame_end(rest);
  if (end == std::string_view::npos) return {};
  consumed_ += end;
  return rest.substr(0, end);
}

SseEvent parse_sse_frame(std::string_view frame) {
  SseEvent event;
  bool has_data = false;
  while (!frame.empty()) {
    std::size_t eol = frame.find_first_of("\r\n");
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
      if (has_data) event.data += '\n';
      event.data.append(value);
      has_data = true;
    } else if (field == "event") {
      event.event.assign(value);
    }
  }
  return event;
}

}  // namespace switchyard::http
