#include "http/wire.h"

#include <boost/beast/core/string.hpp>
#include <charconv>

namespace switchyard::http {

namespace {

void append_number(std::string& out, std::size_t value) {
  char digits[20];
  auto end = std::to_chars(digits, digits + sizeof digits, value).ptr;
  out.append(digits, end);
}

void append_field(std::string& out, std::string_view name, std::string_view value) {
  out.append(name);
  out.append(": ", 2);
  out.append(value);
  out.append("\r\n", 2);
}

bool is_framing_header(std::string_view name) {
  return boost::beast::iequals(name, "host") || boost::beast::iequals(name, "content-length") ||
         boost::beast::iequals(name, "connection") || boost::beast::iequals(name, "transfer-encoding");
}

// A header given twice is sent once, with its last value (a provider's own header over a
// configured default): true when set `set` (from field `field` on) or a later set has it.
bool set_again_later(std::span<const HeaderList* const> sets, std::size_t set, std::size_t field) {
  const std::string& name = (*sets[set])[field].first;
  for (std::size_t s = set; s < sets.size(); ++s) {
    const HeaderList& list = *sets[s];
    for (std::size_t f = s == set ? field + 1 : 0; f < list.size(); ++f) {
      if (boost::beast::iequals(list[f].first, name)) return true;
    }
  }
  return false;
}

}  // namespace

std::string header_lines(std::span<const HeaderList* const> sets) {
  std::string out;
  for (std::size_t set = 0; set < sets.size(); ++set) {
    const HeaderList& list = *sets[set];
    for (std::size_t field = 0; field < list.size(); ++field) {
      const auto& [name, value] = list[field];
      if (is_framing_header(name) || set_again_later(sets, set, field)) continue;
      append_field(out, name, value);
    }
  }
  return out;
}

void append_request_head(std::string& out, std::string_view method, std::string_view path, std::string_view host,
                         std::string_view lines, std::size_t body_size) {
  out.append(method);
  out += ' ';
  out.append(path);
  out.append(" HTTP/1.1\r\n", 11);
  append_field(out, "Host", host);
  out.append(lines);
  if (body_size > 0 || (method != "GET" && method != "HEAD")) {
    out.append("Content-Length: ", 16);
    append_number(out, body_size);
    out.append("\r\n", 2);
  }
  out.append("\r\n", 2);
}

std::string_view chunk_size_line(std::size_t size, char (&storage)[20]) {
  auto end = std::to_chars(storage, storage + sizeof storage - 2, size, 16).ptr;
  *end++ = '\r';
  *end++ = '\n';
  return {storage, static_cast<std::size_t>(end - storage)};
}

}  // namespace switchyard::http
