#include "http/response.h"

#include <ostream>  // Beast's status header needs it and does not include it
#include <boost/beast/http/status.hpp>
#include <charconv>
#include <cstring>

namespace switchyard::http {

namespace {

// Calls `visit(at, next)` for each field line of `lines` named `name`: it starts at `at`
// and the next line at `next`; `visit` returns where to go on from. Lines are
// "Name: value\r\n" with a token name, so a match is the name and a colon. `lines` is read
// afresh at each step: `visit` may erase the line it was given.
template <class Visit>
void for_each_named(const std::string& lines, std::string_view name, Visit visit) {
  for (std::size_t at = 0; at < lines.size();) {
    const char* lf = static_cast<const char*>(std::memchr(lines.data() + at, '\n', lines.size() - at));
    std::size_t next = static_cast<std::size_t>(lf - lines.data()) + 1;
    bool named = next - at > name.size() && lines[at + name.size()] == ':' &&
                 iequals(std::string_view(lines).substr(at, name.size()), name);
    at = named ? visit(at, next) : next;
  }
}

void append_field(std::string& out, std::string_view name, std::string_view value) {
  out.append(name);
  out.append(": ", 2);
  out.append(value);
  out.append("\r\n", 2);
}

}  // namespace

void ResponseHeader::set(std::string_view name, std::string_view value) {
  if (!is_token(name) || !is_field_value(value)) return;
  for_each_named(lines_, name, [&](std::size_t at, std::size_t next) {
    lines_.erase(at, next - at);
    return at;
  });
  if (lines_.empty()) lines_.reserve(128);
  append_field(lines_, name, value);
}

std::string_view ResponseHeader::get(std::string_view name) const {
  std::string_view found;
  for_each_named(lines_, name, [&](std::size_t at, std::size_t next) {
    std::size_t value = at + name.size() + 2;
    found = std::string_view(lines_).substr(value, next - 2 - value);
    return lines_.size();  // the first one is the answer
  });
  return found;
}

void append_response_head(std::string& out, const ResponseHeader& header, std::string_view extra_lines,
                          ResponseFraming framing) {
  char digits[20];
  out.append("HTTP/1.1 ", 9);
  out.append(digits, std::to_chars(digits, digits + sizeof digits, header.status()).ptr);
  out += ' ';
  auto reason = boost::beast::http::obsolete_reason(static_cast<boost::beast::http::status>(header.status()));
  out.append(reason.data(), reason.size());
  out.append("\r\n", 2);
  out.append(header.lines());
  out.append(extra_lines);
  if (framing.content_length) {
    out.append("Content-Length: ", 16);
    out.append(digits, std::to_chars(digits, digits + sizeof digits, *framing.content_length).ptr);
    out.append("\r\n", 2);
  } else {
    out.append("Transfer-Encoding: chunked\r\n", 28);
  }
  if (!framing.keep_alive) out.append("Connection: close\r\n", 19);
  out.append("\r\n", 2);
}

}  // namespace switchyard::http
