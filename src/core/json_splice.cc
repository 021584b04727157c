#include "core/json_splice.h"

#include <array>
#include <cstdint>
#include <cstring>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "core/json_parse.h"

namespace switchyard::json_splice {
namespace {

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

std::size_t skip_space(std::string_view s, std::size_t i) {
  while (i < s.size() && is_space(s[i])) ++i;
  return i;
}

// Returned by the skips when the text ends inside what they skip.
constexpr std::size_t kUnterminated = std::string_view::npos;

// `i` is at an opening quote; returns one past the closing quote. Most of a body's bytes
// are inside strings, so the scan jumps from quote to quote with memchr.
std::size_t skip_string(std::string_view s, std::size_t i) {
  const char* begin = s.data();
  const char* end = begin + s.size();
  const char* p = begin + i + 1;
  while (p < end) {
    const char* quote = static_cast<const char*>(std::memchr(p, '"', static_cast<std::size_t>(end - p)));
    if (!quote) break;
    // The quote closes the string unless an odd run of backslashes escapes it.
    std::size_t backslashes = 0;
    for (const char* b = quote; b > p && b[-1] == '\\'; --b) ++backslashes;
    if (backslashes % 2 == 0) return static_cast<std::size_t>(quote - begin) + 1;
    p = quote + 1;
  }
  return kUnterminated;
}

// Where a scan through a container stands: nesting depth, and string state.
struct ScanState {
  int depth = 0;
  bool in_string = false;
  bool escaped = false;  // the previous byte was a backslash inside a string
};

// Advances `state` over s[i, end) one byte at a time; returns one past the byte that closed
// the outermost container, or `end` if it did not close there.
std::size_t scan_bytes(std::string_view s, std::size_t i, std::size_t end, ScanState& state) {
  for (; i < end; ++i) {
    char c = s[i];
    if (state.in_string) {
      if (state.escaped) {
        state.escaped = false;
      } else if (c == '\\') {
        state.escaped = true;
      } else if (c == '"') {
        state.in_string = false;
      }
    } else if (c == '"') {
      state.in_string = true;
    } else if (c == '{' || c == '[') {
      ++state.depth;
    } else if ((c == '}' || c == ']') && --state.depth == 0) {
      return i + 1;
    }
  }
  return end;
}

#if defined(__SSE2__)
// One bit per byte of a 64-byte block, for each byte the container scan cares about.
struct BlockMasks {
  std::uint64_t quotes = 0;
  std::uint64_t backslashes = 0;
  std::uint64_t opens = 0;   // '{' and '['
  std::uint64_t closes = 0;  // '}' and ']'
};

BlockMasks classify(const char* block) {
  const __m128i quote = _mm_set1_epi8('"');
  const __m128i backslash = _mm_set1_epi8('\\');
  const __m128i bit20 = _mm_set1_epi8(0x20);  // '[' and ']' are '{' and '}' with it clear
  const __m128i open = _mm_set1_epi8('{');
  const __m128i close = _mm_set1_epi8('}');
  BlockMasks masks;
  for (int part = 0; part < 4; ++part) {
    __m128i bytes = _mm_loadu_si128(reinterpret_cast<const __m128i*>(block + 16 * part));
    __m128i folded = _mm_or_si128(bytes, bit20);
    auto bits = [&](__m128i equal) {
      return static_cast<std::uint64_t>(static_cast<std::uint32_t>(_mm_movemask_epi8(equal))) << (16 * part);
    };
    masks.quotes |= bits(_mm_cmpeq_epi8(bytes, quote));
    masks.backslashes |= bits(_mm_cmpeq_epi8(bytes, backslash));
    masks.opens |= bits(_mm_cmpeq_epi8(folded, open));
    masks.closes |= bits(_mm_cmpeq_epi8(folded, close));
  }
  return masks;
}

// Bit i set when an odd number of bits 0..i are set in `x`: with quotes, the bytes inside
// strings (an opening quote included, its closing one not).
std::uint64_t prefix_xor(std::uint64_t x) {
  x ^= x << 1;
  x ^= x << 2;
  x ^= x << 4;
  x ^= x << 8;
  x ^= x << 16;
  x ^= x << 32;
  return x;
}

// Advances `state` over one block; returns the offset one past the byte that closed the
// outermost container, or 64.
std::size_t scan_block(const char* block, ScanState& state) {
  BlockMasks masks = classify(block);
  if (state.escaped || masks.backslashes != 0) {
    std::string_view bytes(block, 64);
    return scan_bytes(bytes, 0, 64, state);
  }
  std::uint64_t inside = prefix_xor(masks.quotes);
  if (state.in_string) inside = ~inside;
  state.in_string = (inside >> 63) != 0;
  std::uint64_t opens = masks.opens & ~inside;
  for (std::uint64_t brackets = opens | (masks.closes & ~inside); brackets != 0; brackets &= brackets - 1) {
    int bit = __builtin_ctzll(brackets);
    if ((opens >> bit) & 1) {
      ++state.depth;
    } else if (--state.depth == 0) {
      return static_cast<std::size_t>(bit) + 1;
    }
  }
  return 64;
}
#endif

// `i` is at the '{' or '[' of a container; returns one past its matching close. Most of a
// body is inside containers ("messages", "choices"), so it is classified 64 bytes at a
// time: quotes give the bytes inside strings, and only the brackets outside them are
// visited. A string still open at the end of a block is skipped with memchr (a long
// message is one call, not a block scan per 64 bytes). Blocks with a backslash go byte by
// byte; the last, partial block is padded.
std::size_t skip_container(std::string_view s, std::size_t i) {
  ScanState state;
#if defined(__SSE2__)
  state.depth = 1;
  ++i;
  while (true) {
    if (state.in_string) {
      // skip_string starts after the byte it is given: the one before `i`, or `i` itself
      // when that is escaped.
      i = skip_string(s, state.escaped ? i : i - 1);
      if (i == kUnterminated) return kUnterminated;
      state.in_string = false;
      state.escaped = false;
    }
    if (i + 64 > s.size()) break;
    std::size_t end = scan_block(s.data() + i, state);
    if (state.depth == 0) return i + end;
    i += 64;
  }
  if (i < s.size()) {
    char padded[64];  // spaces: nothing the scan looks for
    std::memset(padded, ' ', sizeof padded);
    std::memcpy(padded, s.data() + i, s.size() - i);
    std::size_t end = scan_block(padded, state);
    if (state.depth == 0) return i + end;
  }
  return kUnterminated;
#else
  std::size_t end = scan_bytes(s, i, s.size(), state);
  return state.depth == 0 ? end : kUnterminated;
#endif
}

// `i` is at the first byte of a value; returns one past its last byte (kUnterminated when
// a string or container does not end).
std::size_t skip_value(std::string_view s, std::size_t i) {
  if (i >= s.size()) return i;
  if (s[i] == '"') return skip_string(s, i);
  if (s[i] == '{' || s[i] == '[') return skip_container(s, i);
  // number, true, false, null
  while (i < s.size() && s[i] != ',' && s[i] != '}' && s[i] != ']' && !is_space(s[i])) ++i;
  return i;
}

// After a member or an element ending at `end`: true when a comma follows, with `next` set
// to just past it.
bool comma_after(std::string_view json, std::size_t end, std::size_t& next) {
  std::size_t i = skip_space(json, end);
  if (i >= json.size() || json[i] != ',') return false;
  next = i + 1;
  return true;
}

}  // namespace

MemberReader::MemberReader(std::string_view object_json) : json_(object_json) {
  i_ = skip_space(json_, 0);
  object_ = i_ < json_.size() && json_[i_] == '{';
  done_ = !object_;
  ++i_;
}

bool MemberReader::next(std::string_view& key, std::string_view& value) {
  if (done_) return false;
  done_ = true;  // until this member proves complete
  std::size_t i = skip_space(json_, i_);
  if (i >= json_.size() || json_[i] != '"') return false;
  std::size_t key_begin = i;
  std::size_t key_end = skip_string(json_, i);
  if (key_end == kUnterminated) return false;
  i = skip_space(json_, key_end);
  if (i >= json_.size() || json_[i] != ':') return false;
  i = skip_space(json_, i + 1);
  std::size_t value_end = skip_value(json_, i);
  if (value_end == kUnterminated || value_end == i) return false;  // cut off, or no value at all
  key = json_.substr(key_begin + 1, key_end - key_begin - 2);
  value = json_.substr(i, value_end - i);
  done_ = !comma_after(json_, value_end, i_);
  return true;
}

ElementReader::ElementReader(std::string_view array_json) : json_(array_json) {
  i_ = skip_space(json_, 0);
  array_ = i_ < json_.size() && json_[i_] == '[';
  ++i_;
  std::size_t first = skip_space(json_, i_);
  done_ = !array_ || (first < json_.size() && json_[first] == ']');
}

bool ElementReader::next(std::string_view& element) {
  if (done_) return false;
  done_ = true;  // until this element proves complete
  std::size_t i = skip_space(json_, i_);
  std::size_t end = skip_value(json_, i);
  if (end == kUnterminated || end == i) return false;
  element = json_.substr(i, end - i);
  done_ = !comma_after(json_, end, i_);
  return true;
}

namespace {

// Whether a key as written in the text means `key`. Escapes are rare, so a key with any is
// decoded by the full parser.
bool key_is(std::string_view written, std::string_view key) {
  if (written.find('\\') == std::string_view::npos) return written == key;
  std::string quoted;
  quoted.reserve(written.size() + 2);
  quoted += '"';
  quoted += written;
  quoted += '"';
  boost::json::error_code ec;
  boost::json::value decoded = json_fields::parse_document(quoted, ec);
  return !ec && decoded.is_string() && std::string_view(decoded.get_string()) == key;
}

}  // namespace

std::optional<MemberSpan> find_member(std::string_view json, std::string_view key) {
  MemberReader reader(json);
  std::optional<MemberSpan> found;
  std::string_view this_key;
  std::string_view value;
  while (reader.next(this_key, value)) {
    if (!key_is(this_key, key)) continue;
    auto offset = [&](std::string_view part) { return static_cast<std::size_t>(part.data() - json.data()); };
    found = MemberSpan{offset(this_key) - 1, offset(value), offset(value) + value.size()};
  }
  return found;
}

namespace {

// The backward readers below see the text from its end. Outside strings that is as
// unambiguous as reading forward; a quote closes (or opens) a string unless an odd run of
// backslashes escapes it, in either direction.

std::size_t skip_space_back(std::string_view s, std::size_t end) {
  while (end > 0 && is_space(s[end - 1])) --end;
  return end;
}

bool escaped_at(std::string_view s, std::size_t quote) {
  std::size_t backslashes = 0;
  while (quote > backslashes && s[quote - backslashes - 1] == '\\') ++backslashes;
  return backslashes % 2 == 1;
}

// `end` is one past a string's closing quote; returns its opening quote, or kUnterminated.
std::size_t string_start_back(std::string_view s, std::size_t end) {
  std::size_t at = end - 1;
  while (at > 0) {
    const void* quote = memrchr(s.data(), '"', at);
    if (!quote) break;
    at = static_cast<std::size_t>(static_cast<const char*>(quote) - s.data());
    if (!escaped_at(s, at)) return at;
  }
  return kUnterminated;
}

// `end` is one past a value; returns where the value begins, or kUnterminated.
std::size_t value_start_back(std::string_view s, std::size_t end) {
  if (end == 0) return kUnterminated;
  char last = s[end - 1];
  if (last == '"') return string_start_back(s, end);
  if (last == '}' || last == ']') {
    int depth = 0;
    for (std::size_t at = end; at > 0;) {
      char c = s[--at];
      if (c == '"') {
        at = string_start_back(s, at + 1);
        if (at == kUnterminated) return kUnterminated;
      } else if (c == '}' || c == ']') {
        ++depth;
      } else if ((c == '{' || c == '[') && --depth == 0) {
        return at;
      }
    }
    return kUnterminated;
  }
  // A number, true, false or null: back to the byte before it.
  std::size_t at = end;
  while (at > 0 && !is_space(s[at - 1]) && s[at - 1] != ':' && s[at - 1] != ',' && s[at - 1] != '[' && s[at - 1] != '{') --at;
  return at;
}

}  // namespace

std::optional<MemberSpan> find_last_member(std::string_view json, std::string_view key) {
  std::size_t end = skip_space_back(json, json.size());
  if (end == 0 || json[end - 1] != '}') return std::nullopt;
  std::size_t member_end = end - 1;  // at the '}', then at each ',' between members
  while (true) {
    std::size_t value_end = skip_space_back(json, member_end);
    if (value_end == 0 || json[value_end - 1] == '{') return std::nullopt;  // no members left
    std::size_t value_begin = value_start_back(json, value_end);
    if (value_begin == kUnterminated) return std::nullopt;
    std::size_t colon = skip_space_back(json, value_begin);
    if (colon == 0 || json[colon - 1] != ':') return std::nullopt;
    std::size_t key_end = skip_space_back(json, colon - 1);
    if (key_end == 0 || json[key_end - 1] != '"') return std::nullopt;
    std::size_t key_begin = string_start_back(json, key_end);
    if (key_begin == kUnterminated) return std::nullopt;
    if (key_is(json.substr(key_begin + 1, key_end - key_begin - 2), key)) {
      return MemberSpan{key_begin, value_begin, value_end};
    }
    std::size_t before = skip_space_back(json, key_begin);
    if (before == 0 || json[before - 1] != ',') return std::nullopt;  // '{': the first member
    member_end = before - 1;
  }
}

std::string replace_value(std::string_view json, ValueSpan span, std::string_view value_json) {
  std::string out;
  out.reserve(json.size() - (span.end - span.begin) + value_json.size());
  out.append(json.substr(0, span.begin));
  out.append(value_json);
  out.append(json.substr(span.end));
  return out;
}

std::string set_member(std::string_view json, std::string_view key, std::string_view value_json) {
  if (auto span = find_member(json, key)) return replace_value(json, {span->value_begin, span->value_end}, value_json);
  std::string out;
  std::size_t open = skip_space(json, 0);
  std::size_t after_open = skip_space(json, open + 1);
  bool empty_object = after_open < json.size() && json[after_open] == '}';
  out.reserve(json.size() + key.size() + value_json.size() + 4);
  out.append(json.substr(0, open + 1));
  out += '"';
  out.append(key);
  out.append("\":");
  out.append(value_json);
  if (!empty_object) out += ',';
  out.append(json.substr(open + 1));
  return out;
}

std::string remove_member(std::string_view json, std::string_view key) {
  auto span = find_member(json, key);
  if (!span) return std::string(json);
  // Take the member and the comma after it; for the last member, the comma before it.
  std::size_t begin = span->member_begin;
  std::size_t end = skip_space(json, span->value_end);
  if (end < json.size() && json[end] == ',') {
    end = skip_space(json, end + 1);
  } else {
    std::size_t before = begin;
    while (before > 0 && is_space(json[before - 1])) --before;
    if (before > 0 && json[before - 1] == ',') begin = before - 1;
  }
  std::string out(json.substr(0, begin));
  out.append(json.substr(end));
  return out;
}

}  // namespace switchyard::json_splice
