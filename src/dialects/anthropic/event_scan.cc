#include "dialects/anthropic/event_scan.h"

#include <cstdint>

#include "core/json_reader.h"
#include "core/json_events.h"

namespace switchyard::anthropic {
namespace json = boost::json;

namespace {

// Depth counts the containers open: the event is depth 1, its delta 2. Each member is
// taken from the last occurrence of its key, as a DOM would.
class EventHandler : public json_events::IgnoringHandler {
 public:
  EventScan scan;

  bool on_object_begin(json::error_code&) { return open(true); }
  bool on_object_end(std::size_t, json::error_code&) { return close(); }
  bool on_array_begin(json::error_code&) { return open(false); }
  bool on_array_end(std::size_t, json::error_code&) { return close(); }
  bool on_key(json::string_view last, std::size_t, json::error_code&) {
    if (depth_ > 2) return true;
    std::string_view key = last;
    if (depth_ == 1) {
      member_ = key == "type" ? Member::type : key == "index" ? Member::index : key == "delta" ? Member::delta : Member::other;
    } else if (in_delta_) {
      delta_member_ = key == "type" ? Member::type : key == "text" ? Member::text : Member::other;
    }
    return true;
  }
  bool on_string(json::string_view last, std::size_t, json::error_code&) {
    if (!wants_text()) return scalar(false);
    std::string_view text = last;
    if (depth_ == 1) {
      scan.type.assign(text);
    } else if (delta_member_ == Member::type) {
      delta_type_ = text == "text_delta" ? DeltaType::text : DeltaType::other;
    } else {
      scan.text.assign(text);
    }
    return scalar(true);
  }
  bool on_int64(std::int64_t value, json::string_view, json::error_code&) {
    scalar(false);
    if (depth_ == 1 && member_ == Member::index) scan.index = static_cast<std::size_t>(value);
    return true;
  }
  bool on_uint64(std::uint64_t, json::string_view, json::error_code&) { return scalar(false); }
  bool on_double(double, json::string_view, json::error_code&) { return scalar(false); }
  bool on_bool(bool, json::error_code&) { return scalar(false); }
  bool on_null(json::error_code&) { return scalar(false); }

  bool text_delta() const { return delta_is_object_ && delta_type_ == DeltaType::text; }

 private:
  enum class Member { other, type, index, delta, text };
  enum class DeltaType { none, text, other };

  bool wants_text() const {
    if (depth_ == 1) return member_ == Member::type;
    return depth_ == 2 && in_delta_ && (delta_member_ == Member::type || delta_member_ == Member::text);
  }

  // Any value or container opening at the current depth, except what on_string kept.
  bool scalar(bool kept) {
    if (depth_ == 0) {
      scan.valid = false;
    } else if (depth_ == 1) {
      if (member_ == Member::type && !kept) scan.type.clear();
      if (member_ == Member::index) scan.index = 0;  // on_int64 sets it after this
      if (member_ == Member::delta) {
        // A repeated "delta" starts over.
        delta_is_object_ = false;
        delta_type_ = DeltaType::none;
        scan.text.clear();
      }
    } else if (depth_ == 2 && in_delta_) {
      if (delta_member_ == Member::type && !kept) delta_type_ = DeltaType::other;
      if (delta_member_ == Member::text && !kept) scan.text.clear();
    }
    return true;
  }

  bool open(bool object) {
    scalar(false);
    if (depth_ == 0) scan.valid = object;
    if (depth_ == 1 && member_ == Member::delta) delta_is_object_ = in_delta_ = object;
    ++depth_;
    return true;
  }

  bool close() {
    if (--depth_ == 1) in_delta_ = false;
    return true;
  }

  int depth_ = 0;
  Member member_ = Member::other;
  Member delta_member_ = Member::other;
  bool in_delta_ = false;
  bool delta_is_object_ = false;
  DeltaType delta_type_ = DeltaType::none;
};

// Anthropic writes every text delta in one compact form:
//   {"type":"content_block_delta","index":N,"delta":{"type":"text_delta","text":"..."}}
// When `data` is exactly that, with a text of printable ASCII and no escapes, it is read
// here without a parser (what the parser would read from it is plain); else false.
bool read_compact_text_delta(std::string_view data, EventScan& scan) {
  constexpr std::string_view kHead = R"({"type":"content_block_delta","index":)";
  constexpr std::string_view kMiddle = R"(,"delta":{"type":"text_delta","text":")";
  constexpr std::string_view kTail = R"("}})";
  if (!data.starts_with(kHead)) return false;
  std::size_t at = kHead.size();
  std::size_t digits = 0;
  std::size_t index = 0;
  while (at + digits < data.size() && data[at + digits] >= '0' && data[at + digits] <= '9' && digits < 9) {
    index = index * 10 + static_cast<std::size_t>(data[at + digits] - '0');
    ++digits;
  }
  if (digits == 0 || (digits > 1 && data[at] == '0')) return false;  // JSON has no leading zeros
  at += digits;
  if (data.substr(at, kMiddle.size()) != kMiddle) return false;
  at += kMiddle.size();
  if (data.size() < at + kTail.size() || !data.ends_with(kTail)) return false;
  std::string_view text = data.substr(at, data.size() - kTail.size() - at);
  for (char c : text) {
    // A signed char over 0x7f is negative: below 0x20 too. DEL, valid JSON, is left to the parser.
    if (c == '"' || c == '\\' || c < 0x20 || c > 0x7e) return false;
  }
  scan.valid = true;
  scan.type.assign("content_block_delta");
  scan.text_delta = true;
  scan.index = index;
  scan.text.assign(text);
  return true;
}

}  // namespace

EventScan scan_event(std::string_view data) {
  if (EventScan scan; read_compact_text_delta(data, scan)) return scan;
  json::error_code ec;
  auto handler = json_events::read_events(data, ec, [] { return EventHandler{}; });
  if (!handler) return {};
  handler->scan.text_delta = handler->text_delta();
  return std::move(handler->scan);
}

}  // namespace switchyard::anthropic
