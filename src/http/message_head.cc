#include "http/message_head.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <cstring>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace switchyard::http {
namespace {

constexpr std::string_view kMalformedLine = "a line of the head does not end with CRLF";

// tchar of RFC 9110 §5.6.2: what field names and methods are made of.
constexpr std::array<bool, 256> kTokenChar = [] {
  std::array<bool, 256> table{};
  for (int c = '0'; c <= '9'; ++c) table[c] = true;
  for (int c = 'a'; c <= 'z'; ++c) table[c] = true;
  for (int c = 'A'; c <= 'Z'; ++c) table[c] = true;
  for (unsigned char c : std::string_view("!#$%&'*+-.^_`|~")) table[c] = true;
  return table;
}();

std::string_view trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

// Field values may hold visible characters, spaces, tabs and obs-text; never CR, LF or NUL.
constexpr std::array<bool, 256> kValueChar = [] {
  std::array<bool, 256> table{};
  for (int c = 0x20; c < 0x100; ++c) table[c] = c != 0x7f;
  table['\t'] = true;
  return table;
}();

// Finds the end of the head, its first empty line, one LF at a time; that every line ends
// with CRLF is checked when the head is parsed. Returns one past the empty line, or 0 and
// in `resume` the start of the first line not complete yet, where the next search starts:
// a client sending its head a byte at a time costs a scan of each byte once, not once a read.
std::size_t find_head_end(std::string_view input, std::size_t from, std::size_t& resume) {
  const char* begin = input.data();
  const char* end = begin + input.size();
  const char* line = begin + std::min(from, input.size());
  while (line < end) {
    const char* lf = static_cast<const char*>(std::memchr(line, '\n', static_cast<std::size_t>(end - line)));
    if (!lf) break;
    if (lf == line || (lf == line + 1 && *line == '\r')) return static_cast<std::size_t>(lf + 1 - begin);
    line = lf + 1;
  }
  resume = static_cast<std::size_t>(line - begin);
  return 0;
}

HeadParse malformed(std::string_view why) {
  HeadParse parse;
  parse.status = HeadStatus::malformed;
  parse.error = why;
  return parse;
}

// Finds the head (from `skip` on), copies it into `text` and returns the parse status;
// `lines` is then the copied head without its empty line.
HeadParse locate_head(std::string_view input, std::size_t max_size, std::size_t skip, std::size_t& resume,
                      std::string& text, std::string_view& lines) {
  HeadParse parse;
  std::size_t from = std::max(skip, resume);
  std::size_t end = find_head_end(input.substr(0, std::min(input.size(), max_size + skip)), from, resume);
  if (end == 0) {
    parse.status = input.size() >= max_size + skip ? HeadStatus::too_large : HeadStatus::incomplete;
    return parse;
  }
  resume = 0;
  if (end - skip < 2 || input[end - 2] != '\r') return malformed(kMalformedLine);  // a bare LF ended it
  text.assign(input.data() + skip, end - skip);
  lines = std::string_view(text).substr(0, text.size() - 2);
  parse.status = HeadStatus::complete;
  parse.size = end;
  return parse;
}

// Splits off the first line of `lines`, without its CRLF. False if it does not end with CRLF.
bool next_line(std::string_view& lines, std::string_view& line) {
  const char* lf = static_cast<const char*>(std::memchr(lines.data(), '\n', lines.size()));
  if (!lf || lf == lines.data() || lf[-1] != '\r') return false;
  std::size_t length = static_cast<std::size_t>(lf - lines.data());
  line = lines.substr(0, length - 1);
  lines.remove_prefix(length + 1);
  return true;
}

// The first byte from `p` on that a field value may not hold: a control character other
// than tab, or DEL. CR and LF are among them, so the same scan finds the CRLF that ends the
// line. `end` when there is none. Values are most of a head's bytes: 16 at a time.
const char* find_control(const char* p, const char* end) {
#if defined(__SSE2__)
  const __m128i below_space = _mm_set1_epi8(0x1f);
  const __m128i tab = _mm_set1_epi8('\t');
  const __m128i del = _mm_set1_epi8(0x7f);
  for (; end - p >= 16; p += 16) {
    __m128i bytes = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
    __m128i control = _mm_cmpeq_epi8(_mm_min_epu8(bytes, below_space), bytes);  // bytes <= 0x1f, unsigned
    control = _mm_or_si128(_mm_andnot_si128(_mm_cmpeq_epi8(bytes, tab), control), _mm_cmpeq_epi8(bytes, del));
    if (int mask = _mm_movemask_epi8(control)) return p + __builtin_ctz(static_cast<unsigned>(mask));
  }
#endif
  while (p < end && kValueChar[static_cast<unsigned char>(*p)]) ++p;
  return p;
}

// The first byte from `p` on that is not a token character (`end` when all are), 16
// bytes at a time: a tchar is a visible ASCII byte other than DQUOTE and "(),/:;<=>?@[\]{}".
const char* skip_token(const char* p, const char* end) {
#if defined(__SSE2__)
  auto byte = [](char c) { return _mm_set1_epi8(c); };
  for (; end - p >= 16; p += 16) {
    __m128i bytes = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
    auto in = [&](char low, char high) {  // signed compares: bytes over 0x7f are below any
      return _mm_and_si128(_mm_cmpgt_epi8(bytes, byte(static_cast<char>(low - 1))),
                           _mm_cmplt_epi8(bytes, byte(static_cast<char>(high + 1))));
    };
    __m128i delimiter = _mm_or_si128(
        _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(bytes, byte('"')), in('(', ')')),
                     _mm_or_si128(_mm_cmpeq_epi8(bytes, byte(',')), _mm_cmpeq_epi8(bytes, byte('/')))),
        _mm_or_si128(_mm_or_si128(in(':', '@'), in('[', ']')),
                     _mm_or_si128(_mm_cmpeq_epi8(bytes, byte('{')), _mm_cmpeq_epi8(bytes, byte('}')))));
    __m128i token = _mm_andnot_si128(delimiter, in('!', '~'));
    auto others = static_cast<unsigned>(~_mm_movemask_epi8(token)) & 0xffffu;
    if (others != 0) return p + __builtin_ctz(others);
  }
#endif
  while (p < end && kTokenChar[static_cast<unsigned char>(*p)]) ++p;
  return p;
}

bool crlf_at(const char* p, const char* end) { return end - p >= 2 && p[0] == '\r' && p[1] == '\n'; }

// The field lines after the start line, checked in one pass: a name of token characters,
// a colon, a value of field-value characters up to the line's CRLF (a stray CR or LF, or
// any other control character, is refused).
std::string_view parse_fields(std::string_view lines, HeaderFields& fields) {
  fields.clear();
  fields.reserve(16);  // a typical head's fields, in one allocation the first time
  const char* p = lines.data();
  const char* end = p + lines.size();
  while (p < end) {
    if (*p == ' ' || *p == '\t') return "obsolete line folding in a header field";
    const char* name = p;
    p = skip_token(p, end);
    if (p == end) return kMalformedLine;
    if (*p == '\r' || *p == '\n') {
      if (!crlf_at(p, end)) return kMalformedLine;
      return p == name ? "an empty line inside the head" : "a header field without a colon";
    }
    if (*p != ':' || p == name) return "a header field name that is not a token";
    const char* colon = p;
    const char* value = colon + 1;
    const char* stop = find_control(value, end);
    if (!crlf_at(stop, end)) {
      return stop == end || *stop == '\n' ? kMalformedLine : "a control character in a header field value";
    }
    fields.add({name, static_cast<std::size_t>(colon - name)},
               trim({value, static_cast<std::size_t>(stop - value)}));
    p = stop + 2;
  }
  return {};
}

bool parse_version(std::string_view text, int& version) {
  if (text == "HTTP/1.1") {
    version = 11;
  } else if (text == "HTTP/1.0") {
    version = 10;
  } else {
    return false;
  }
  return true;
}

// Calls `visit(item)` for each comma-separated item of a field value, trimmed (empty ones
// too), until it returns false; returns false when it was stopped.
template <class Visit>
bool for_each_item(std::string_view value, Visit visit) {
  while (true) {
    std::size_t comma = value.find(',');
    if (!visit(trim(value.substr(0, comma)))) return false;
    if (comma == std::string_view::npos) return true;
    value.remove_prefix(comma + 1);
  }
}

// Content-Length: digits only; repeated fields (or a list) must all agree.
bool parse_content_length(const HeaderFields& fields, std::uint64_t& length, bool& present) {
  present = false;
  for (const HeaderField& field : fields) {
    if (!iequals(field.name, "content-length")) continue;
    bool valid = for_each_item(field.value, [&](std::string_view item) {
      if (item.empty() || item.size() > 18) return false;
      for (char c : item) {
        if (c < '0' || c > '9') return false;
      }
      std::uint64_t value = 0;
      std::from_chars(item.data(), item.data() + item.size(), value);
      if (present && value != length) return false;
      length = value;
      present = true;
      return true;
    });
    if (!valid) return false;
  }
  return true;
}

// The last transfer coding named across every Transfer-Encoding field.
std::string_view last_transfer_coding(const HeaderFields& fields, bool& present) {
  present = false;
  std::string_view last;
  for (const HeaderField& field : fields) {
    if (!iequals(field.name, "transfer-encoding")) continue;
    present = true;
    for_each_item(field.value, [&](std::string_view item) {
      if (!item.empty()) last = item;
      return true;
    });
  }
  return last;
}

bool keep_alive_for(int version, const HeaderFields& fields) {
  if (fields.has_token("connection", "close")) return false;
  return version >= 11 || fields.has_token("connection", "keep-alive");
}

}  // namespace

bool is_token(std::string_view text) {
  const char* end = text.data() + text.size();
  return !text.empty() && skip_token(text.data(), end) == end;
}

bool is_field_value(std::string_view text) {
  const char* end = text.data() + text.size();
  return find_control(text.data(), end) == end;
}

std::string_view HeaderFields::get(std::string_view name) const {
  for (const HeaderField& field : fields_) {
    if (iequals(field.name, name)) return field.value;
  }
  return {};
}

bool HeaderFields::has_token(std::string_view name, std::string_view token) const {
  for (const HeaderField& field : fields_) {
    if (!iequals(field.name, name)) continue;
    if (!for_each_item(field.value, [&](std::string_view item) { return !iequals(item, token); })) return true;
  }
  return false;
}

bool RequestHead::keep_alive() const { return keep_alive_for(version, fields); }
bool ResponseHead::keep_alive() const { return keep_alive_for(version, fields); }

HeadParse parse_request_head(std::string_view input, std::size_t max_size, RequestHead& head, std::size_t& resume) {
  // A server should ignore empty lines before a request line (RFC 9112 §2.2): some
  // clients send a CRLF after a body.
  std::size_t skip = 0;
  while (input.size() >= skip + 2 && input[skip] == '\r' && input[skip + 1] == '\n') skip += 2;
  std::string_view lines;
  HeadParse parse = locate_head(input, max_size, skip, resume, head.text, lines);
  if (parse.status != HeadStatus::complete) return parse;

  std::string_view line;
  if (!next_line(lines, line)) return malformed(kMalformedLine);
  std::size_t first_space = line.find(' ');
  std::size_t second_space = first_space == std::string_view::npos ? first_space : line.find(' ', first_space + 1);
  if (second_space == std::string_view::npos) return malformed("the request line is not METHOD TARGET VERSION");
  head.method = line.substr(0, first_space);
  head.target = line.substr(first_space + 1, second_space - first_space - 1);
  if (!is_token(head.method)) return malformed("the request method is not a token");
  if (head.target.empty()) return malformed("the request target is empty");
  for (unsigned char c : head.target) {
    if (c <= 0x20 || c == 0x7f) return malformed("the request target holds a space or control character");
  }
  if (!parse_version(line.substr(second_space + 1), head.version)) return malformed("unsupported HTTP version");
  if (std::string_view error = parse_fields(lines, head.fields); !error.empty()) return malformed(error);

  // Body framing (RFC 9112 §6.3): a request with both, or with a coding other than a final
  // chunked, cannot be framed safely and is refused.
  bool has_coding = false;
  std::string_view coding = last_transfer_coding(head.fields, has_coding);
  bool has_length = false;
  std::uint64_t length = 0;
  if (!parse_content_length(head.fields, length, has_length)) return malformed("an invalid Content-Length");
  if (has_coding) {
    if (has_length) return malformed("both Transfer-Encoding and Content-Length");
    if (!iequals(coding, "chunked")) return malformed("a Transfer-Encoding that does not end with chunked");
    if (head.version < 11) return malformed("Transfer-Encoding in an HTTP/1.0 request");
    head.framing = {BodyFraming::Kind::chunked, 0};
  } else if (has_length && length > 0) {
    head.framing = {BodyFraming::Kind::length, length};
  } else {
    head.framing = {BodyFraming::Kind::none, 0};
  }
  return parse;
}

HeadParse parse_response_head(std::string_view input, std::size_t max_size, ResponseHead& head, std::size_t& resume) {
  std::string_view lines;
  HeadParse parse = locate_head(input, max_size, 0, resume, head.text, lines);
  if (parse.status != HeadStatus::complete) return parse;

  std::string_view line;
  if (!next_line(lines, line)) return malformed(kMalformedLine);
  // HTTP/1.1 SP 3DIGIT SP reason (the reason may be empty, and some servers drop the space)
  if (line.size() < 12 || !parse_version(line.substr(0, 8), head.version) || line[8] != ' ') {
    return malformed("the status line is not HTTP/1.x STATUS REASON");
  }
  std::string_view code = line.substr(9, 3);
  int status = 0;
  for (char c : code) {
    if (c < '0' || c > '9') return malformed("the status code is not three digits");
    status = status * 10 + (c - '0');
  }
  if (status < 100 || (line.size() > 12 && line[12] != ' ')) return malformed("the status code is not three digits");
  head.status = status;
  head.reason = line.size() > 13 ? line.substr(13) : std::string_view{};
  if (std::string_view error = parse_fields(lines, head.fields); !error.empty()) return malformed(error);
  return parse;
}

BodyFraming response_framing(const ResponseHead& head, std::string_view request_method, std::string_view& error) {
  error = {};
  // RFC 9112 §6.3, in its order.
  if (request_method == "HEAD" || head.status < 200 || head.status == 204 || head.status == 304) {
    return {BodyFraming::Kind::none, 0};
  }
  bool has_coding = false;
  std::string_view coding = last_transfer_coding(head.fields, has_coding);
  if (has_coding) {
    // Transfer-Encoding overrides Content-Length; a final coding other than chunked
    // means the body runs until the connection closes.
    if (iequals(coding, "chunked")) return {BodyFraming::Kind::chunked, 0};
    return {BodyFraming::Kind::until_close, 0};
  }
  bool has_length = false;
  std::uint64_t length = 0;
  if (!parse_content_length(head.fields, length, has_length)) {
    error = "an invalid Content-Length";
    return {BodyFraming::Kind::none, 0};
  }
  if (has_length) return {length > 0 ? BodyFraming::Kind::length : BodyFraming::Kind::none, length};
  return {BodyFraming::Kind::until_close, 0};
}

}  // namespace switchyard::http
