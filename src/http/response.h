// The response a handler builds: a status, its own fields and a body. The response channel
// adds the framing (Content-Length or chunked, Connection) and the server's own fields when
// it writes the head, so a handler never spells those.
//
// Fields are kept as the wire lines they become ("Name: value\r\n"), in one string: most
// responses carry two or three, and a container with a node per field cost more than the
// rest of writing the head.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "http/message_head.h"

namespace switchyard::http {

class ResponseHeader {
 public:
  explicit ResponseHeader(int status = 200) : status_(status) {}

  int status() const { return status_; }
  void set_status(int status) { status_ = status; }

  // Sets field `name` to `value`, replacing every earlier field of that name (compared
  // case-insensitively), at the end of the fields. A name that is not a token or a value
  // with a control character (CR, LF and NUL among them) is not set: it could break the head.
  void set(std::string_view name, std::string_view value);
  // The field's value, or empty.
  std::string_view get(std::string_view name) const;
  // "Name: value\r\n" for each field, in order.
  std::string_view lines() const { return lines_; }
  // Drops every field, keeping the memory for the next ones.
  void clear_fields() { lines_.clear(); }

 private:
  int status_;
  std::string lines_;
};

struct ClientResponse : ResponseHeader {
  using ResponseHeader::ResponseHeader;
  std::string body;
};

// How the channel frames what follows the head.
struct ResponseFraming {
  std::optional<std::size_t> content_length;  // else chunked
  bool keep_alive = true;
};

// "HTTP/1.1 200 OK\r\n", the header's fields, `extra_lines` (the server's own fields as
// wire lines: request id, routing headers), the framing fields and the blank line.
void append_response_head(std::string& out, const ResponseHeader& header, std::string_view extra_lines,
                          ResponseFraming framing);

}  // namespace switchyard::http
