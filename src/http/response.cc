#include "http/response.h"

#include <ostream>  // Beast's status header needs it and does not include it
#include <boost/beast/http/status.hpp>
#include <charconv>

namespace switchyard::http {

namespace {

bool is_safe_value(std::string_view value) {
  for (char c : value) {
    if (c == '\r' || c == '\n' || c == '\0') return false;
  }
  return true;
}

// The field line starting at `at` in `lines`: its name and where the next line starts.
std::string_view line_name(std::string_view lines, std::size_t at, std::size_t& next) {
  std::size_t colon = lines.find(':', at);
  next = lines.find("\r\n", colon) + 2;
  return lines.substr(at, colon - at);
}

void append_field(std::string& out, std::string_view name, std::string_view value) {
  out.append(name);
  out.append(": ", 2);
  out.append(value);
  out.append("\r\n", 2);
}

}  // namespace

void ResponseHeader::set(std::string_view name, std::string_view value) {
  if (!is_token(name) || !is_safe_value(value)) return;
  for (std::size_t at = 0, next = 0; at < lines_.size(); at = next) {
    if (iequals(line_name(lines_, at, next), name)) {
      lines_.erase(at, next - at);
      next = at;
    }
  }
  if (lines_.empty()) lines_.reserve(128);
  append_field(lines_, name, value);
}

std::string_view ResponseHeader::get(std::string_view name) const {
  for (std::size_t at = 0, next = 0; at < lines_.size(); at = next) {
    if (iequals(line_name(lines_, at, next), name)) {
      std::size_t value = at + name.size() + 2;
      return std::string_view(lines_).substr(value, next - 2 - value);
    }
  }
  return {};
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
