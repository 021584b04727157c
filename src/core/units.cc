#include "core/units.h"

#include <charconv>
#include <limits>
#include <string>

namespace switchyard {
namespace {

// Splits "250ms" into 250 and "ms"; the number must be a non-negative integer.
bool split_number(std::string_view text, std::uint64_t& number, std::string_view& unit) {
  while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
  while (!text.empty() && text.back() == ' ') text.remove_suffix(1);
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), number);
  if (ec != std::errc{} || end == text.data()) return false;
  unit = text.substr(static_cast<std::size_t>(end - text.data()));
  while (!unit.empty() && unit.front() == ' ') unit.remove_prefix(1);
  return true;
}

std::optional<std::uint64_t> checked_multiply(std::uint64_t value, std::uint64_t factor) {
  if (factor != 0 && value > std::numeric_limits<std::uint64_t>::max() / factor) return std::nullopt;
  return value * factor;
}

}  // namespace

std::optional<Millis> parse_duration(std::string_view text) {
  std::uint64_t number = 0;
  std::string_view unit;
  if (!split_number(text, number, unit)) return std::nullopt;
  std::uint64_t factor = 0;
  if (unit == "ms") factor = 1;
  else if (unit.empty() || unit == "s") factor = 1000;
  else if (unit == "m") factor = 60'000;
  else if (unit == "h") factor = 3'600'000;
  else return std::nullopt;
  auto ms = checked_multiply(number, factor);
  if (!ms || *ms > static_cast<std::uint64_t>(std::numeric_limits<Millis::rep>::max())) return std::nullopt;
  return Millis(static_cast<Millis::rep>(*ms));
}

std::optional<std::uint64_t> parse_size(std::string_view text) {
  std::uint64_t number = 0;
  std::string_view unit;
  if (!split_number(text, number, unit)) return std::nullopt;
  std::uint64_t factor = 0;
  if (unit.empty() || unit == "B") factor = 1;
  else if (unit == "KB") factor = 1000;
  else if (unit == "MB") factor = 1000 * 1000;
  else if (unit == "GB") factor = 1000 * 1000 * 1000;
  else if (unit == "KiB") factor = 1024;
  else if (unit == "MiB") factor = 1024 * 1024;
  else if (unit == "GiB") factor = 1024 * 1024 * 1024;
  else return std::nullopt;
  return checked_multiply(number, factor);
}

std::string format_duration(Millis duration) {
  auto ms = duration.count();
  if (ms != 0 && ms % 3600000 == 0) return std::to_string(ms / 3600000) + "h";
  if (ms != 0 && ms % 60000 == 0) return std::to_string(ms / 60000) + "m";
  if (ms != 0 && ms % 1000 == 0) return std::to_string(ms / 1000) + "s";
  return std::to_string(ms) + "ms";
}

}  // namespace switchyard
