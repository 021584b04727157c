#include "core/json_writer.h"

#include <boost/json/serializer.hpp>
#include <charconv>
#include <cstring>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace switchyard {

namespace {

// What a character becomes inside a JSON string: 0 for itself, 'u' for \u00XX, or the
// letter after the backslash.
constexpr char escape_for(unsigned char c) {
  switch (c) {
    case '"': return '"';
    case '\\': return '\\';
    case '\b': return 'b';
    case '\f': return 'f';
    case '\n': return 'n';
    case '\r': return 'r';
    case '\t': return 't';
    default: return c < 0x20 ? 'u' : 0;
  }
}

struct EscapeTable {
  char code[256];
  constexpr EscapeTable() : code() {
    for (int c = 0; c < 256; ++c) code[c] = escape_for(static_cast<unsigned char>(c));
  }
};
constexpr EscapeTable kEscapes;

// Appends what the serializer gives for `json`, a chunk at a time, with no copy of the
// whole text in between.
void append_serialized(std::string& out, const boost::json::value& json) {
  boost::json::serializer serializer;
  serializer.reset(&json);
  char chunk[4096];
  while (!serializer.done()) out += serializer.read(chunk, sizeof chunk);
}

// The first character of [at, end) that needs escaping, or end. Text is mostly plain, so
// sixteen bytes are checked at once where the CPU has SSE2 (every x86-64 does).
const char* find_escape(const char* at, const char* end) {
#if defined(__SSE2__)
  const __m128i quote = _mm_set1_epi8('"');
  const __m128i backslash = _mm_set1_epi8('\\');
  const __m128i last_control = _mm_set1_epi8(0x1f);
  for (; end - at >= 16; at += 16) {
    __m128i chunk = _mm_loadu_si128(reinterpret_cast<const __m128i*>(at));
    // Unsigned x <= 0x1f exactly when max(x, 0x1f) == 0x1f.
    __m128i special = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(chunk, quote), _mm_cmpeq_epi8(chunk, backslash)),
                                   _mm_cmpeq_epi8(_mm_max_epu8(chunk, last_control), last_control));
    if (int mask = _mm_movemask_epi8(special)) return at + __builtin_ctz(static_cast<unsigned>(mask));
  }
#endif
  for (; at != end; ++at) {
    if (kEscapes.code[static_cast<unsigned char>(*at)]) return at;
  }
  return end;
}

}  // namespace

void append_json_string(std::string& out, std::string_view text) {
  out.reserve(out.size() + text.size() + 2);
  out += '"';
  const char* run = text.data();
  const char* end = run + text.size();
  for (const char* at = find_escape(run, end); at != end; at = find_escape(at + 1, end)) {
    char code = kEscapes.code[static_cast<unsigned char>(*at)];
    out.append(run, static_cast<std::size_t>(at - run));
    run = at + 1;
    if (code == 'u') {
      constexpr char kHex[] = "0123456789abcdef";
      unsigned char c = static_cast<unsigned char>(*at);
      char escaped[] = {'\\', 'u', '0', '0', kHex[c >> 4], kHex[c & 0xf]};
      out.append(escaped, sizeof escaped);
    } else {
      char escaped[] = {'\\', code};
      out.append(escaped, sizeof escaped);
    }
  }
  out.append(run, static_cast<std::size_t>(end - run));
  out += '"';
}

JsonWriter& JsonWriter::open(char bracket) {
  separate();
  out_ += bracket;
  needs_comma_ = false;
  return *this;
}

JsonWriter& JsonWriter::close(char bracket) {
  out_ += bracket;
  needs_comma_ = true;
  return *this;
}

JsonWriter& JsonWriter::key(JsonKey name) {
  // One append instead of four: a request has dozens of names, and each append is a call.
  char piece[JsonKey::kMaxSize + 4];
  char* end = piece;
  if (needs_comma_) *end++ = ',';
  *end++ = '"';
  std::memcpy(end, name.name.data(), name.name.size());
  end += name.name.size();
  *end++ = '"';
  *end++ = ':';
  out_.append(piece, static_cast<std::size_t>(end - piece));
  needs_comma_ = false;
  return *this;
}

JsonWriter& JsonWriter::string(std::string_view text) {
  separate();
  append_json_string(out_, text);
  return *this;
}

JsonWriter& JsonWriter::integer(std::int64_t number) {
  separate();
  char digits[24];
  out_.append(digits, std::to_chars(digits, digits + sizeof digits, number).ptr);
  return *this;
}

JsonWriter& JsonWriter::number(double number) {
  separate();
  append_serialized(out_, boost::json::value(number));
  return *this;
}

JsonWriter& JsonWriter::boolean(bool flag) {
  separate();
  out_ += flag ? "true" : "false";
  return *this;
}

JsonWriter& JsonWriter::millis(std::int64_t micros) {
  separate();
  if (micros < 0) {
    out_ += '-';
    micros = -micros;
  }
  char digits[24];
  out_.append(digits, std::to_chars(digits, digits + sizeof digits, micros / 1000).ptr);
  if (int fraction = static_cast<int>(micros % 1000); fraction != 0) {
    char text[5] = {'.', static_cast<char>('0' + fraction / 100), static_cast<char>('0' + fraction / 10 % 10),
                    static_cast<char>('0' + fraction % 10), 0};
    std::size_t size = 4;
    while (text[size - 1] == '0') --size;
    out_.append(text, size);
  }
  return *this;
}

JsonWriter& JsonWriter::null() {
  separate();
  out_ += "null";
  return *this;
}

JsonWriter& JsonWriter::value(const boost::json::value& json) {
  separate();
  append_serialized(out_, json);
  return *this;
}

}  // namespace switchyard
