// HTTP/1.1 message heads (RFC 9112), parsed in one pass over bytes already received.
//
// The gateway's own reader replaces Beast's parser on both sides of the proxy: Beast
// allocated a node per header field and walked its composed operations for every read,
// about a quarter of a passthrough request's instructions. Here a head is parsed only once
// it is complete, into views over one string the message owns; nothing is allocated per
// field once a connection's first message has sized the vectors.
//
// Parsing is strict where leniency would let two parsers disagree about where a message
// ends (request smuggling): lines end with CRLF, obsolete line folding and whitespace
// before a field's colon are refused, and body framing follows RFC 9112 §6.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace switchyard::http {

// ASCII case-insensitive equality, for field names and tokens. Inline: header lookups
// call it for every field, and most calls end at the length check.
inline bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  auto lower = [](unsigned char c) { return static_cast<unsigned char>(c + (static_cast<unsigned>(c - 'A') < 26u ? 32 : 0)); };
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (a[i] != b[i] && lower(static_cast<unsigned char>(a[i])) != lower(static_cast<unsigned char>(b[i]))) return false;
  }
  return true;
}

// A token (RFC 9110 §5.6.2): a field name or method, one or more of its characters.
bool is_token(std::string_view text);
// A field value (RFC 9110 §5.5): visible characters, spaces, tabs and obs-text; no CR,
// LF, NUL or other control character.
bool is_field_value(std::string_view text);

struct HeaderField {
  std::string_view name;
  std::string_view value;  // without surrounding whitespace
};

// The fields of a message head, in the order received.
class HeaderFields {
 public:
  // The first value of `name` (case-insensitive), or empty when absent.
  std::string_view get(std::string_view name) const;
  // True when the comma-separated list in field `name` holds `token` (case-insensitive).
  bool has_token(std::string_view name, std::string_view token) const;
  auto begin() const { return fields_.begin(); }
  auto end() const { return fields_.end(); }
  std::size_t size() const { return fields_.size(); }

  void clear() { fields_.clear(); }
  void reserve(std::size_t count) { fields_.reserve(count); }
  void add(std::string_view name, std::string_view value) { fields_.push_back({name, value}); }

 private:
  std::vector<HeaderField> fields_;
};

// How the body of a message is delimited.
struct BodyFraming {
  enum class Kind { none, length, chunked, until_close };
  Kind kind = Kind::none;
  std::uint64_t length = 0;  // for Kind::length
};

enum class HeadStatus {
  complete,    // `size` bytes of the input were the head
  incomplete,  // no end of head yet, and still within the size limit
  too_large,   // no end of head within the size limit
  malformed,   // `error` says why
};

struct HeadParse {
  HeadStatus status = HeadStatus::incomplete;
  std::size_t size = 0;    // bytes of the head, its blank line included
  std::string_view error;  // a static message, for malformed
};

// A request head. `text` owns the bytes every view points into, so the head stays valid
// while the connection's read buffer moves on.
struct RequestHead {
  std::string text;
  std::string_view method;
  std::string_view target;
  int version = 11;  // 10 or 11
  HeaderFields fields;
  BodyFraming framing;

  bool keep_alive() const;
};

struct ResponseHead {
  std::string text;
  int version = 11;
  int status = 0;
  std::string_view reason;
  HeaderFields fields;

  bool keep_alive() const;
};

// Parses the head at the start of `input` once it is complete. On `complete`, `head`
// holds a copy of the head's bytes and views into that copy; its framing is decided, and a
// request whose framing is ambiguous or unsupported is `malformed`. `resume` carries how
// far an incomplete head was searched to the next call with more of the same input (start
// at 0; it is 0 again after a complete head).
HeadParse parse_request_head(std::string_view input, std::size_t max_size, RequestHead& head, std::size_t& resume);
HeadParse parse_response_head(std::string_view input, std::size_t max_size, ResponseHead& head, std::size_t& resume);

// How the body of a response to `request_method` with this head is delimited. Sets
// `error` (and returns Kind::none) when the framing is malformed.
BodyFraming response_framing(const ResponseHead& head, std::string_view request_method, std::string_view& error);

}  // namespace switchyard::http
