// A fast path for reading JSON that providers write compactly: every stream chunk of the
// OpenAI API is one line of escape-free ASCII with no whitespace, and Boost.JSON's
// validating parser spends more on each of its tokens than the handlers reading them do.
//
// parse_compact feeds a basic_parser handler the very events basic_parser would (whole
// keys and strings, integers with their text, null, booleans, container ends with their
// sizes) when the text is in this subset:
//   - no whitespace anywhere;
//   - strings of printable ASCII (0x20 to 0x7f) with no escapes;
//   - integers of at most 18 digits, no leading zeros and no "-0";
//   - null, true, false, and objects and arrays of these, nested at most 16 deep.
// Anything else (a fraction, an escape, a UTF-8 byte, a space, bytes after the value) makes
// it give up at once. The handler has then seen part of the text and must be dropped: the
// caller reads the text again with basic_parser and a fresh handler.
#pragma once

#include <boost/json/basic_parser_impl.hpp>
#include <boost/json/error.hpp>
#include <boost/json/string_view.hpp>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

#include "core/json_events.h"

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace switchyard::json_events {
namespace compact_detail {

// The closing quote of a string whose first byte is at `p`, or null when the string is not
// plain (an escape, a control or non-ASCII byte) or not closed.
inline const char* plain_string_end(const char* p, const char* end) {
#if defined(__SSE2__)
  const __m128i quote = _mm_set1_epi8('"');
  const __m128i backslash = _mm_set1_epi8('\\');
  const __m128i space = _mm_set1_epi8(0x20);
  for (; end - p >= 16; p += 16) {
    __m128i bytes = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
    // Signed: bytes over 0x7f are negative, so below a space like the control characters.
    __m128i stop = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(bytes, quote), _mm_cmpeq_epi8(bytes, backslash)),
                                _mm_cmplt_epi8(bytes, space));
    if (int mask = _mm_movemask_epi8(stop)) {
      p += __builtin_ctz(static_cast<unsigned>(mask));
      return *p == '"' ? p : nullptr;
    }
  }
#endif
  for (; p < end; ++p) {
    auto c = static_cast<unsigned char>(*p);
    if (c == '"') return p;
    if (c == '\\' || c < 0x20 || c > 0x7f) return nullptr;
  }
  return nullptr;
}

template <class Handler>
class Reader {
 public:
  Reader(std::string_view text, Handler& handler) : p_(text.data()), end_(text.data() + text.size()), h_(handler) {}

  bool document() {
    if (!h_.on_document_begin(ec_) || !value(0) || p_ != end_) return false;
    return h_.on_document_end(ec_);
  }
  // After a false document(): the reason a callback gave when it stopped the read (as
  // basic_parser requires of one), or empty when the text left the subset.
  const boost::json::error_code& refusal() const { return ec_; }

 private:
  static constexpr int kMaxDepth = 16;

  bool value(int depth) {
    if (p_ == end_) return false;
    switch (*p_) {
      case '"': {
        boost::json::string_view text;
        return string(text) && h_.on_string(text, text.size(), ec_);
      }
      case '{': return object(depth + 1);
      case '[': return array(depth + 1);
      case 'n': return literal("null") && h_.on_null(ec_);
      case 't': return literal("true") && h_.on_bool(true, ec_);
      case 'f': return literal("false") && h_.on_bool(false, ec_);
      default: return integer();
    }
  }

  bool object(int depth) {
    if (depth > kMaxDepth || !h_.on_object_begin(ec_)) return false;
    ++p_;
    std::size_t members = 0;
    if (p_ != end_ && *p_ == '}') {
      ++p_;
      return h_.on_object_end(0, ec_);
    }
    while (true) {
      boost::json::string_view key;
      if (p_ == end_ || *p_ != '"' || !string(key) || !h_.on_key(key, key.size(), ec_)) return false;
      if (p_ == end_ || *p_++ != ':' || !value(depth)) return false;
      ++members;
      if (p_ == end_) return false;
      char c = *p_++;
      if (c == '}') return h_.on_object_end(members, ec_);
      if (c != ',') return false;
    }
  }

  bool array(int depth) {
    if (depth > kMaxDepth || !h_.on_array_begin(ec_)) return false;
    ++p_;
    std::size_t elements = 0;
    if (p_ != end_ && *p_ == ']') {
      ++p_;
      return h_.on_array_end(0, ec_);
    }
    while (true) {
      if (!value(depth)) return false;
      ++elements;
      if (p_ == end_) return false;
      char c = *p_++;
      if (c == ']') return h_.on_array_end(elements, ec_);
      if (c != ',') return false;
    }
  }

  // At the opening quote; leaves p_ after the closing one.
  bool string(boost::json::string_view& text) {
    const char* close = plain_string_end(p_ + 1, end_);
    if (!close) return false;
    text = boost::json::string_view(p_ + 1, static_cast<std::size_t>(close - p_ - 1));
    p_ = close + 1;
    return true;
  }

  bool literal(std::string_view word) {
    if (static_cast<std::size_t>(end_ - p_) < word.size() || std::string_view(p_, word.size()) != word) return false;
    p_ += word.size();
    return true;
  }

  bool integer() {
    const char* start = p_;
    bool negative = *p_ == '-';
    if (negative) ++p_;
    const char* digits = p_;
    std::int64_t magnitude = 0;
    while (p_ < end_ && *p_ >= '0' && *p_ <= '9' && p_ - digits < 18) magnitude = magnitude * 10 + (*p_++ - '0');
    std::size_t count = static_cast<std::size_t>(p_ - digits);
    if (count == 0 || (count > 1 && *digits == '0') || (negative && magnitude == 0)) return false;
    if (p_ < end_ && ((*p_ >= '0' && *p_ <= '9') || *p_ == '.' || *p_ == 'e' || *p_ == 'E')) return false;
    boost::json::string_view text(start, static_cast<std::size_t>(p_ - start));
    return h_.on_int64(negative ? -magnitude : magnitude, text, ec_);
  }

  const char* p_;
  const char* end_;
  Handler& h_;
  boost::json::error_code ec_;
};

}  // namespace compact_detail

// True when `text` was in the compact subset and `handler` has read all of it; false when
// the text must be read by basic_parser with a fresh handler (see above).
template <class Handler>
bool parse_compact(std::string_view text, Handler& handler) {
  return compact_detail::Reader<Handler>(text, handler).document();
}

// The handler `make()` returns, after reading all of `text`: compactly when it can, else
// with basic_parser and a handler made afresh. nullopt, with the reason in `ec`, when `text`
// is not one JSON document or a callback stopped the read. A callback that stops the
// compact read would stop basic_parser's at the same event, so that read is not made.
template <class Make>
auto read_events(std::string_view text, boost::json::error_code& ec, Make make) -> std::optional<decltype(make())> {
  using Handler = decltype(make());
  Handler compact = make();
  compact_detail::Reader<Handler> reader(text, compact);
  if (reader.document()) return compact;
  if (reader.refusal()) {
    ec = reader.refusal();
    return std::nullopt;
  }
  boost::json::basic_parser<Handler> parser(boost::json::parse_options{}, make());
  if (!parse_events(parser, text, ec)) return std::nullopt;
  return std::move(parser.handler());
}

}  // namespace switchyard::json_events
