// Reads one whole JSON document held in memory and feeds a handler the events Boost.JSON's
// basic_parser would, accepting and refusing what basic_parser does with default
// parse_options (RFC 8259, strict UTF-8, no comments or trailing commas, 32 levels deep)
// but for one corner of exponents, below.
//
// Why not basic_parser itself: it is written to resume on any byte of a split input, and
// pays for that on every token; worse, after a string's first escape it copies the rest
// of that string one byte at a time, and provider and client text is full of "\n" and
// "\"". Here the input is whole, so strings are scanned 16 bytes at a time from end to
// end, escapes included.
//
// What a handler sees differs from basic_parser's events in these ways:
//   - a key or string always comes whole (on_key / on_string, never the _part calls): as
//     a view of the input when it holds no escape, else of the reader's own buffer, valid
//     during the call (basic_parser gives parts after an escape; the handlers in src,
//     written for this reader, take whole ones only);
//   - a number's text is all of it, and no on_number_part is called;
//   - a fraction or exponent is read correctly rounded (std::from_chars), where
//     basic_parser's default reading may be off in the last bit; past a double's range it
//     is an infinity or a zero, as there (but zero with a huge exponent is zero, not NaN);
//   - an exponent is refused only past INT_MAX itself. basic_parser also refuses one within
//     a few dozen of it once its count of the number's digits is added, a count its two
//     reading paths keep differently; such a number is an infinity or a zero either way.
// Otherwise the verdicts and error codes are basic_parser's.
#pragma once

#include <boost/json/error.hpp>
#include <boost/json/string_view.hpp>
#include <algorithm>
#include <charconv>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <limits>
#include <memory>
#include <optional>
#include <string_view>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace switchyard::json_events {

// The first byte at or after `p` that ends a plain run of a string: a quote, a backslash,
// a control byte or a byte over 0x7f; `end` when there is none.
inline const char* string_stop(const char* p, const char* end) {
#if defined(__SSE2__)
  const __m128i quote = _mm_set1_epi8('"');
  const __m128i backslash = _mm_set1_epi8('\\');
  const __m128i space = _mm_set1_epi8(0x20);
  for (; end - p >= 16; p += 16) {
    __m128i bytes = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
    // Signed: bytes over 0x7f are negative, so below a space like the control characters.
    __m128i stop = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(bytes, quote), _mm_cmpeq_epi8(bytes, backslash)),
                                _mm_cmplt_epi8(bytes, space));
    if (int mask = _mm_movemask_epi8(stop)) return p + __builtin_ctz(static_cast<unsigned>(mask));
  }
#endif
  for (; p < end; ++p) {
    auto c = static_cast<unsigned char>(*p);
    if (c == '"' || c == '\\' || c < 0x20 || c > 0x7f) return p;
  }
  return end;
}

// The closing quote of a string whose text (or any part of it after its opening quote)
// starts at `p`, past escaped quotes; `end` when it is not closed. Nothing else is checked:
// a reading of the string does that.
inline const char* closing_quote(const char* p, const char* end) {
  while ((p = string_stop(p, end)) != end && *p != '"') p += *p == '\\' && end - p > 1 ? 2 : 1;
  return p;
}

namespace reader_detail {

// How many bytes the UTF-8 sequence led by `lead` (over 0x7f) takes; 0 for a byte that
// cannot lead one (a continuation byte, an overlong 0xc0/0xc1, or 0xf5 and up).
inline std::size_t utf8_length(unsigned char lead) {
  if (lead < 0xc2) return 0;
  if (lead < 0xe0) return 2;
  if (lead < 0xf0) return 3;
  if (lead < 0xf5) return 4;
  return 0;
}

// Whether the `length` bytes at `p` are one well-formed sequence: no overlong form, no
// UTF-16 surrogate, nothing over U+10FFFF (RFC 3629, as Boost.JSON checks it).
inline bool utf8_valid(const unsigned char* p, std::size_t length) {
  auto continuation = [](unsigned char c) { return (c & 0xc0) == 0x80; };
  unsigned char low = 0x80;
  unsigned char high = 0xbf;
  if (p[0] == 0xe0) low = 0xa0;
  if (p[0] == 0xed) high = 0x9f;
  if (p[0] == 0xf0) low = 0x90;
  if (p[0] == 0xf4) high = 0x8f;
  if (p[1] < low || p[1] > high) return false;
  for (std::size_t i = 2; i < length; ++i) {
    if (!continuation(p[i])) return false;
  }
  return true;
}

inline int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Writes `code_point` at `out` and moves past it.
inline void put_utf8(char*& out, unsigned code_point) {
  if (code_point < 0x80) {
    *out++ = static_cast<char>(code_point);
  } else if (code_point < 0x800) {
    *out++ = static_cast<char>(0xc0 | (code_point >> 6));
    *out++ = static_cast<char>(0x80 | (code_point & 0x3f));
  } else if (code_point < 0x10000) {
    *out++ = static_cast<char>(0xe0 | (code_point >> 12));
    *out++ = static_cast<char>(0x80 | ((code_point >> 6) & 0x3f));
    *out++ = static_cast<char>(0x80 | (code_point & 0x3f));
  } else {
    *out++ = static_cast<char>(0xf0 | (code_point >> 18));
    *out++ = static_cast<char>(0x80 | ((code_point >> 12) & 0x3f));
    *out++ = static_cast<char>(0x80 | ((code_point >> 6) & 0x3f));
    *out++ = static_cast<char>(0x80 | (code_point & 0x3f));
  }
}

inline char* put(char* out, const char* from, const char* to) {
  std::size_t size = static_cast<std::size_t>(to - from);
  std::memcpy(out, from, size);
  return out + size;
}

template <class Handler>
class Reader {
 public:
  Reader(std::string_view text, Handler& handler) : p_(text.data()), end_(text.data() + text.size()), h_(handler) {}

  bool document() {
    if (!h_.on_document_begin(ec_)) return refused();
    if (!value(kMaxDepth)) return false;
    skip_space();
    if (p_ != end_) return fail(boost::json::error::extra_data);
    h_.on_document_end(ec_);  // what it returns, basic_parser ignores; a reason it gives, not
    return !ec_;
  }

  const boost::json::error_code& reason() const { return ec_; }

 private:
  using error = boost::json::error;
  static constexpr int kMaxDepth = 32;  // parse_options::max_depth's default

  bool fail(error code) {
    ec_ = code;
    return false;
  }
  bool incomplete() { return fail(error::incomplete); }
  // A callback returned false; basic_parser requires it to say why, and so does this.
  bool refused() {
    if (!ec_) ec_ = error::exception;
    return false;
  }

  void skip_space() {
    while (p_ != end_ && (*p_ == ' ' || *p_ == '\n' || *p_ == '\r' || *p_ == '\t')) ++p_;
  }

  // The next byte that is not whitespace, without moving past it; NUL at the end of the
  // text. Provider JSON is mostly compact, so the byte at p_ is tried first.
  char peek() {
    if (p_ != end_ && static_cast<unsigned char>(*p_) > ' ') return *p_;
    skip_space();
    return p_ == end_ ? '\0' : *p_;
  }
  // What peek() gave is not what the grammar allows there.
  bool unexpected() { return p_ == end_ ? incomplete() : fail(error::syntax); }

  // A value, after any whitespace; `depth` is how many more containers may open.
  bool value(int depth) {
    switch (peek()) {
      case '"': {
        boost::json::string_view text;
        if (!string(text)) return false;
        return h_.on_string(text, text.size(), ec_) || refused();
      }
      case '{': return object(depth);
      case '[': return array(depth);
      case 'n': return literal("null") && (h_.on_null(ec_) || refused());
      case 't': return literal("true") && (h_.on_bool(true, ec_) || refused());
      case 'f': return literal("false") && (h_.on_bool(false, ec_) || refused());
      default: return number();
    }
  }

  bool object(int depth) {
    if (depth == 0) return fail(error::too_deep);
    if (!h_.on_object_begin(ec_)) return refused();
    ++p_;
    std::size_t members = 0;
    char c = peek();
    if (c != '}') {
      while (true) {
        if (c != '"') return unexpected();
        boost::json::string_view key;
        if (!string(key)) return false;
        if (!h_.on_key(key, key.size(), ec_)) return refused();
        if (peek() != ':') return unexpected();
        ++p_;
        if (!value(depth - 1)) return false;
        ++members;
        c = peek();
        if (c == '}') break;
        if (c != ',') return unexpected();
        ++p_;
        c = peek();
      }
    }
    ++p_;
    return h_.on_object_end(members, ec_) || refused();
  }

  bool array(int depth) {
    if (depth == 0) return fail(error::too_deep);
    if (!h_.on_array_begin(ec_)) return refused();
    ++p_;
    std::size_t elements = 0;
    if (peek() != ']') {
      while (true) {
        if (!value(depth - 1)) return false;
        ++elements;
        char c = peek();
        if (c == ']') break;
        if (c != ',') return unexpected();
        ++p_;
      }
    }
    ++p_;
    return h_.on_array_end(elements, ec_) || refused();
  }

  bool literal(std::string_view word) {
    std::size_t have = static_cast<std::size_t>(end_ - p_);
    if (have < word.size()) {
      return std::memcmp(p_, word.data(), have) == 0 ? incomplete() : fail(error::syntax);
    }
    if (std::memcmp(p_, word.data(), word.size()) != 0) return fail(error::syntax);
    p_ += word.size();
    return true;
  }

  // A multi-byte UTF-8 character at `p` inside a string: its end, or null (ec_ set).
  [[gnu::noinline]] const char* utf8_character(const char* p) {
    std::size_t length = utf8_length(static_cast<unsigned char>(*p));
    if (length == 0) return fail(error::syntax), nullptr;
    if (static_cast<std::size_t>(end_ - p) < length) return incomplete(), nullptr;
    if (!utf8_valid(reinterpret_cast<const unsigned char*>(p), length)) return fail(error::syntax), nullptr;
    return p + length;
  }

  // At the opening quote; leaves p_ after the closing one.
  bool string(boost::json::string_view& text) {
    const char* begin = p_ + 1;
    const char* p = begin;
    while (true) {
      p = string_stop(p, end_);
      if (p == end_) return incomplete();
      auto c = static_cast<unsigned char>(*p);
      if (c == '"') {
        text = boost::json::string_view(begin, static_cast<std::size_t>(p - begin));
        p_ = p + 1;
        return true;
      }
      if (c == '\\') return escaped_string(begin, p, text);
      if (c < 0x20) return fail(error::syntax);
      if (!(p = utf8_character(p))) return false;
    }
  }

  // The string that opened at `begin`, from its first escape at `p`: decoded into the
  // scratch buffer, sized for the string as written (no escape stands for more bytes than
  // it takes), which a first pass finds the end of.
  [[gnu::noinline]] bool escaped_string(const char* begin, const char* p, boost::json::string_view& text) {
    auto needed = static_cast<std::size_t>(closing_quote(p, end_) - begin);
    if (needed > scratch_size_) {
      scratch_ = std::make_unique_for_overwrite<char[]>(needed);
      scratch_size_ = needed;
    }
    char* out = put(scratch_.get(), begin, p);
    while (true) {
      auto c = static_cast<unsigned char>(*p);
      if (c == '"') {
        text = boost::json::string_view(scratch_.get(), static_cast<std::size_t>(out - scratch_.get()));
        p_ = p + 1;
        return true;
      }
      if (c == '\\') {
        if (!(p = escape(p + 1, out))) return false;
      } else if (c < 0x20) {
        return fail(error::syntax);
      } else {
        const char* after = utf8_character(p);
        if (!after) return false;
        out = put(out, p, after);
        p = after;
      }
      const char* stop = string_stop(p, end_);
      out = put(out, p, stop);
      if ((p = stop) == end_) return incomplete();
    }
  }

  // After a backslash: writes what the escape stands for at `out` and returns its end, or null.
  const char* escape(const char* p, char*& out) {
    if (p == end_) return incomplete(), nullptr;
    switch (*p) {
      case '"': *out++ = '"'; return p + 1;
      case '\\': *out++ = '\\'; return p + 1;
      case '/': *out++ = '/'; return p + 1;
      case 'b': *out++ = '\b'; return p + 1;
      case 'f': *out++ = '\f'; return p + 1;
      case 'n': *out++ = '\n'; return p + 1;
      case 'r': *out++ = '\r'; return p + 1;
      case 't': *out++ = '\t'; return p + 1;
      case 'u': break;
      default: return fail(error::syntax), nullptr;
    }
    unsigned first = 0;
    if (!(p = hex4(p + 1, first))) return nullptr;
    if (first < 0xd800 || first > 0xdfff) {
      put_utf8(out, first);
      return p;
    }
    if (first > 0xdbff) return fail(error::illegal_leading_surrogate), nullptr;
    // A high surrogate: the low one must follow as another \u escape.
    if (p == end_) return incomplete(), nullptr;
    if (*p != '\\') return fail(error::syntax), nullptr;
    if (++p == end_) return incomplete(), nullptr;
    if (*p != 'u') return fail(error::syntax), nullptr;
    unsigned second = 0;
    if (!(p = hex4(p + 1, second))) return nullptr;
    if (second < 0xdc00 || second > 0xdfff) return fail(error::illegal_trailing_surrogate), nullptr;
    put_utf8(out, 0x10000 + ((first - 0xd800) << 10) + (second - 0xdc00));
    return p;
  }

  const char* hex4(const char* p, unsigned& value) {
    for (int i = 0; i < 4; ++i, ++p) {
      if (p == end_) return incomplete(), nullptr;
      int digit = hex_value(*p);
      if (digit < 0) return fail(error::expected_hex_digit), nullptr;
      value = value * 16 + static_cast<unsigned>(digit);
    }
    return p;
  }

  static bool is_digit(char c) { return c >= '0' && c <= '9'; }

  // Skips digits; fails when there is not at least one.
  bool digits() {
    if (p_ == end_) return incomplete();
    if (!is_digit(*p_)) return fail(error::syntax);
    while (p_ != end_ && is_digit(*p_)) ++p_;
    return true;
  }

  bool number() {
    if (p_ == end_) return incomplete();
    const char* start = p_;
    bool negative = *p_ == '-';
    if (negative) ++p_;
    if (p_ == end_) return incomplete();
    const char* integer_begin = p_;
    std::uint64_t magnitude = 0;  // exact up to 19 digits
    if (*p_ == '0') {
      ++p_;
    } else if (!is_digit(*p_)) {
      return fail(error::syntax);
    } else {
      for (; p_ != end_ && is_digit(*p_); ++p_) magnitude = magnitude * 10 + static_cast<std::uint64_t>(*p_ - '0');
    }
    const char* integer_end = p_;
    // basic_parser calls a text that ends after the point or the exponent's sign a syntax
    // error, but one that ends after the 'e' incomplete, and after the point of an integer
    // part too large for 64 bits incomplete too; so does this, to report as it does.
    bool fraction = p_ != end_ && *p_ == '.';
    if (fraction) {
      if (++p_ == end_) return fail(fits_64_bits(integer_begin, integer_end, negative) ? error::syntax : error::incomplete);
      if (!digits()) return false;
    }
    bool exponent = p_ != end_ && (*p_ == 'e' || *p_ == 'E');
    if (exponent) {
      ++p_;
      if (p_ != end_ && (*p_ == '+' || *p_ == '-') && ++p_ == end_) return fail(error::syntax);
      const char* exponent_begin = p_;
      if (!digits()) return false;
      // basic_parser refuses an exponent past INT_MAX rather than read it.
      std::size_t length = static_cast<std::size_t>(p_ - exponent_begin);
      while (length > 1 && *exponent_begin == '0') ++exponent_begin, --length;
      if (length > 10 || (length == 10 && std::string_view(exponent_begin, 10) > "2147483647")) {
        return fail(error::exponent_overflow);
      }
    }
    boost::json::string_view text(start, static_cast<std::size_t>(p_ - start));
    if (!fraction && !exponent) {
      bool fits = integer_end - integer_begin <= 19 || magnitude_of(integer_begin, integer_end, magnitude);
      if (fits && !negative && magnitude <= kInt64Max) {
        return h_.on_int64(static_cast<std::int64_t>(magnitude), text, ec_) || refused();
      }
      if (fits && !negative) return h_.on_uint64(magnitude, text, ec_) || refused();
      if (fits && magnitude <= kInt64Max + 1) {
        return h_.on_int64(static_cast<std::int64_t>(0 - magnitude), text, ec_) || refused();
      }
    }
    return h_.on_double(to_double(start, integer_begin, integer_end, negative), text, ec_) || refused();
  }

  static constexpr auto kInt64Max = static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());

  // The digits [begin, end) as an integer: false when they overflow 64 bits.
  static bool magnitude_of(const char* begin, const char* end, std::uint64_t& magnitude) {
    magnitude = 0;
    for (const char* d = begin; d != end; ++d) {
      if (__builtin_mul_overflow(magnitude, 10u, &magnitude) ||
          __builtin_add_overflow(magnitude, static_cast<std::uint64_t>(*d - '0'), &magnitude)) {
        return false;
      }
    }
    return true;
  }

  // Whether an integer part is one basic_parser reads as an int64 or uint64.
  static bool fits_64_bits(const char* begin, const char* end, bool negative) {
    std::uint64_t magnitude = 0;
    return magnitude_of(begin, end, magnitude) && (!negative || magnitude <= kInt64Max + 1);
  }

  // The number text [start, p_) as a double, correctly rounded. Past the range of a double
  // it is an infinity when its decimal exponent is positive and a zero when negative.
  double to_double(const char* start, const char* integer_begin, const char* integer_end, bool negative) {
    double value = 0;
    auto [end, status] = std::from_chars(start, p_, value);
    if (status == std::errc() && end == p_) return value;
    // The power of ten of the first nonzero digit, then the exponent's (clamped: either
    // term alone is far past a double's range by then).
    long long magnitude = integer_end - integer_begin - 1;
    const char* p = integer_end;
    if (*integer_begin == '0' && p != p_ && *p == '.') {
      for (++p, magnitude = -1; p != p_ && *p == '0'; ++p) --magnitude;
    }
    while (p != p_ && *p != 'e' && *p != 'E') ++p;
    if (p != p_) {
      ++p;
      bool down = *p == '-';
      if (*p == '-' || *p == '+') ++p;
      long long exponent = 0;
      for (; p != p_; ++p) exponent = std::min(exponent * 10 + (*p - '0'), 1'000'000'000LL);
      magnitude += down ? -exponent : exponent;
    }
    double result = magnitude > 0 ? std::numeric_limits<double>::infinity() : 0.0;
    return negative ? -result : result;
  }

  const char* p_;
  const char* end_;
  Handler& h_;
  boost::json::error_code ec_;
  std::unique_ptr<char[]> scratch_;  // the decoded text of a string with escapes
  std::size_t scratch_size_ = 0;
};

}  // namespace reader_detail

// Reads all of `text` into `handler`: false when it is not one JSON document or a callback
// stopped the read, with the reason in `ec` (a callback that gives none is reported as
// error::exception).
template <class Handler>
bool read_json(std::string_view text, Handler& handler, boost::json::error_code& ec) {
  reader_detail::Reader<Handler> reader(text, handler);
  bool read = reader.document();
  ec = reader.reason();
  return read;
}

// The closing quote of a string whose text starts at `p`, when that text is plain: no
// escape, no control byte, nothing over 0x7f. Null otherwise, or when it is not closed.
inline const char* plain_string_end(const char* p, const char* end) {
  const char* stop = string_stop(p, end);
  return stop != end && *stop == '"' ? stop : nullptr;
}

// The handler `make()` returns, after reading all of `text`; nullopt, with the reason in
// `ec`, when `text` is not one JSON document or a callback stopped the read.
template <class Make>
auto read_events(std::string_view text, boost::json::error_code& ec, Make make) -> std::optional<decltype(make())> {
  auto handler = make();
  if (!read_json(text, handler, ec)) return std::nullopt;
  return handler;
}

}  // namespace switchyard::json_events
