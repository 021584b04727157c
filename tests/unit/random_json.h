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

}  // namespace switchyard::testing
