#include "core/json_splice.h"

#include <array>
#include <cstring>

namespace switchyard::json_splice {
namespace {

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

std::size_t skip_space(std::string_view s, std::size_t i) {
  while (i < s.size() && is_space(s[i])) ++i;
  return i;
}

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
  return s.size();
}

// Bytes that change the nesting state inside an object or array.
constexpr std::array<bool, 256> kStructural = [] {
  std::array<bool, 256> table{};
  for (unsigned char c : {'"', '{', '}', '[', ']'}) table[c] = true;
  return table;
}();

// `i` is at the first byte of a value; returns one past its last byte.
std::size_t skip_value(std::string_view s, std::size_t i) {
  if (i >= s.size()) return i;
  if (s[i] == '"') return skip_string(s, i);
  if (s[i] == '{' || s[i] == '[') {
    int depth = 0;
    while (i < s.size()) {
      while (i < s.size() && !kStructural[static_cast<unsigned char>(s[i])]) ++i;
      if (i >= s.size()) break;
      char c = s[i];
      if (c == '"') {
        i = skip_string(s, i);
        continue;
      }
      if (c == '{' || c == '[') {
        ++depth;
      } else if (--depth == 0) {
        return i + 1;
      }
      ++i;
    }
    return s.size();
  }
  // number, true, false, null
  while (i < s.size() && s[i] != ',' && s[i] != '}' && s[i] != ']' && !is_space(s[i])) ++i;
  return i;
}

}  // namespace

std::optional<MemberSpan> find_member(std::string_view json, std::string_view key) {
  std::size_t i = skip_space(json, 0);
  if (i >= json.size() || json[i] != '{') return std::nullopt;
  ++i;
  std::optional<MemberSpan> found;
  while (true) {
    i = skip_space(json, i);
    if (i >= json.size() || json[i] != '"') return found;
    std::size_t key_begin = i;
    std::size_t key_end = skip_string(json, i);
    std::string_view this_key = json.substr(key_begin + 1, key_end - key_begin - 2);
    i = skip_space(json, key_end);
    if (i >= json.size() || json[i] != ':') return found;
    i = skip_space(json, i + 1);
    std::size_t value_begin = i;
    std::size_t value_end = skip_value(json, i);
    if (this_key == key) found = MemberSpan{key_begin, value_begin, value_end};
    i = skip_space(json, value_end);
    if (i >= json.size() || json[i] != ',') return found;
    ++i;
  }
}

std::string set_member(std::string_view json, std::string_view key, std::string_view value_json) {
  std::string out;
  if (auto span = find_member(json, key)) {
    out.reserve(json.size() + value_json.size());
    out.append(json.substr(0, span->value_begin));
    out.append(value_json);
    out.append(json.substr(span->value_end));
    return out;
  }
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
