// A few top-level members of a JSON object, read off the JSON reader's events: what a
// request inspection checks before routing (a model, a stream flag, that the messages are
// an array) without building a DOM of the whole body, most of which is conversation.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>


namespace switchyard::json_events {

struct TopMember {
  enum class Kind { absent, null, boolean, number, string, object, array };

  TopMember(std::string_view member_name) : name(member_name) {}  // implicit: {"model"} reads best

  std::string_view name;
  // As the last occurrence of the name left it, as in a DOM, where the last key wins.
  Kind kind = Kind::absent;
  std::string text;           // a string's value
  bool flag = false;          // a boolean's value
  std::size_t elements = 0;   // an array's size
  std::optional<std::int64_t> integer;  // a whole number's value (one that fits)
  // How many times the name appears. More than once is refused where the gateway routes by
  // the member: it and an upstream might read different occurrences.
  std::size_t occurrences = 0;
};

// Reads `body` and fills in each of `members` found at its top level: false when `body` is
// not one JSON document whose value is an object.
bool read_top_members(std::string_view body, std::span<TopMember> members);

// Whether `body`'s top-level object has the member `name` more than once.
bool repeats_top_member(std::string_view body, std::string_view name);

}  // namespace switchyard::json_events
