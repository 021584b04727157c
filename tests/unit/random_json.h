// Random JSON objects for the differential tests of the event-driven readers: members drawn
// from a few keys (repeats included, so "the last key wins" is exercised) with values drawn
// from texts that mix the kinds a reader must tell apart.
#pragma once

#include <algorithm>
#include <random>
#include <span>
#include <string>
#include <utility>
#include <vector>

namespace switchyard::testing {

inline std::string random_object(std::mt19937& random, std::span<const char* const> keys,
                                 std::span<const char* const> values, int max_members) {
  auto pick = [&](std::span<const char* const> from) {
    return from[std::uniform_int_distribution<std::size_t>(0, from.size() - 1)(random)];
  };
  std::string out = "{";
  int members = std::uniform_int_distribution<int>(0, max_members)(random);
  for (int i = 0; i < members; ++i) {
    if (i) out += ",";
    out += '"';
    out += pick(keys);
    out += "\":";
    out += pick(values);
  }
  return out + "}";
}

// Members in a random order, each appearing once: `{"a":1,"b":2}` for {{"a","1"},{"b","2"}}.
inline std::string shuffled_object(std::mt19937& random, std::vector<std::pair<std::string, std::string>> members) {
  std::shuffle(members.begin(), members.end(), random);
  std::string out = "{";
  for (const auto& [key, value] : members) out += (out.size() > 1 ? ",\"" : "\"") + key + "\":" + value;
  return out + "}";
}

// How many times `key` is a member name of the top-level object of `body` (a valid JSON
// document), names compared after their escapes are read (\u0065 is "e"; ASCII escapes only,
// which is all the tests write). The reference the readers' duplicate checks agree with.
inline std::size_t top_level_key_count(std::string_view body, std::string_view key) {
  std::size_t count = 0;
  int depth = 0;
  bool expecting_key = false;
  for (std::size_t i = 0; i < body.size(); ++i) {
    char c = body[i];
    if (c == '"') {
      std::string text;
      for (++i; i < body.size() && body[i] != '"'; ++i) {
        if (body[i] != '\\') {
          text += body[i];
          continue;
        }
        char escaped = body[++i];
        if (escaped == 'u') {
          text += static_cast<char>(std::stoi(std::string(body.substr(i + 1, 4)), nullptr, 16));
          i += 4;
        } else {
          text += escaped;
        }
      }
      if (depth == 1 && expecting_key && text == key) ++count;
      expecting_key = false;
    } else if (c == '{') {
      ++depth;
      expecting_key = depth == 1;
    } else if (c == '[') {
      ++depth;
    } else if (c == '}' || c == ']') {
      --depth;
    } else if (c == ',' && depth == 1) {
      expecting_key = true;
    }
  }
  return count;
}

}  // namespace switchyard::testing
