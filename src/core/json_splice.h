// Byte-exact edits of a JSON object's top-level members, for the passthrough path:
// the body a client sent is forwarded with only the members we must change rewritten,
// so numbers, key order, whitespace and fields we do not know survive untouched.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace switchyard::json_splice {

struct MemberSpan {
  std::size_t member_begin;  // first byte of the key's opening quote
  std::size_t value_begin;   // first byte of the value
  std::size_t value_end;     // one past the value's last byte
};

// Where a value lies in a JSON text, as byte offsets; empty when not known.
struct ValueSpan {
  std::size_t begin = 0;
  std::size_t end = 0;
  bool known() const { return end > begin; }
};

// Finds `key` among the top-level members of the JSON object `json`. The text must
// already be known to be valid JSON (the caller has parsed it). A key spelled with escapes
// ("mod\u0065l") is decoded before it is compared, as the upstream's parser would; when a
// key repeats, the last one wins, as in the parsers upstreams use.
std::optional<MemberSpan> find_member(std::string_view json, std::string_view key);

// find_member read from the object's end: the same answer, found after reading only the
// members from the last one back to it. For a member upstreams put near the end of a long
// body (a response's usage, after its choices).
std::optional<MemberSpan> find_last_member(std::string_view json, std::string_view key);

// Reads the members of a JSON object one by one, as text: keys as written between their
// quotes (escapes not decoded), values as their bytes. Like find_member it trusts the text
// to be JSON; on anything else it stops early, never reading out of bounds.
class MemberReader {
 public:
  explicit MemberReader(std::string_view object_json);
  bool is_object() const { return object_; }
  // The next member; false at the end of the object (or of what could be read).
  bool next(std::string_view& key, std::string_view& value);

 private:
  std::string_view json_;
  std::size_t i_ = 0;
  bool object_ = false;
  bool done_ = false;
};

// Reads the elements of a JSON array one by one, as text, on the same terms.
class ElementReader {
 public:
  explicit ElementReader(std::string_view array_json);
  bool is_array() const { return array_; }
  bool next(std::string_view& element);

 private:
  std::string_view json_;
  std::size_t i_ = 0;
  bool array_ = false;
  bool done_ = false;
};

// Returns `json` with the value of top-level member `key` replaced by `value_json`
// (already-encoded JSON). Adds the member at the start of the object if it is absent.
std::string set_member(std::string_view json, std::string_view key, std::string_view value_json);

// Returns `json` with the bytes of `span` (a value in it) replaced by `value_json`.
std::string replace_value(std::string_view json, ValueSpan span, std::string_view value_json);

// Returns `json` without the top-level member `key` (unchanged if absent).
std::string remove_member(std::string_view json, std::string_view key);

}  // namespace switchyard::json_splice
