#include "core/money.h"

#include <limits>

namespace switchyard {

namespace {

// A plain non-negative decimal ("2.50") as an integer count of 10^-places units: its digits
// with the fraction padded to `places`. nullopt for a sign, exponent, blank, a fraction
// longer than `places` or a value too large to hold.
std::optional<std::int64_t> parse_fixed_point(std::string_view text, std::size_t places) {
  std::size_t point = text.find('.');
  std::string_view whole = text.substr(0, point);
  std::string_view fraction = point == std::string_view::npos ? std::string_view() : text.substr(point + 1);
  if (whole.empty() || fraction.size() > places || (point != std::string_view::npos && fraction.empty())) {
    return std::nullopt;
  }
  std::int64_t value = 0;
  constexpr std::int64_t kMax = std::numeric_limits<std::int64_t>::max();
  auto append = [&](char digit) {
    if (digit < '0' || digit > '9' || value > (kMax - (digit - '0')) / 10) return false;
    value = value * 10 + (digit - '0');
    return true;
  };
  for (char c : whole) {
    if (!append(c)) return std::nullopt;
  }
  for (char c : fraction) {
    if (!append(c)) return std::nullopt;
  }
  for (std::size_t i = fraction.size(); i < places; ++i) {
    if (!append('0')) return std::nullopt;
  }
  return value;
}

}  // namespace

std::optional<std::int64_t> parse_usd_per_million_tokens(std::string_view text) {
  // $X per million tokens = X micro-dollars per token = X × 10^6 pico-dollars per token:
  // the decimal's digits with its fraction padded to six places are the answer.
  return parse_fixed_point(text, 6);
}

std::optional<Money> parse_usd(std::string_view text) {
  auto pico = parse_fixed_point(text, 12);
  if (!pico) return std::nullopt;
  return Money{*pico};
}

std::string format_usd_per_million_tokens(std::int64_t pico_per_token) {
  std::string out = std::to_string(pico_per_token / 1'000'000);
  std::string fraction = std::to_string(pico_per_token % 1'000'000);
  fraction.insert(0, 6 - fraction.size(), '0');
  while (!fraction.empty() && fraction.back() == '0') fraction.pop_back();
  if (!fraction.empty()) out += "." + fraction;
  return out;
}

std::string format_usd(Money amount) {
  bool negative = amount.pico < 0;
  // The magnitude as unsigned, so the most negative value has one too.
  unsigned __int128 magnitude = negative ? static_cast<unsigned __int128>(-(static_cast<__int128>(amount.pico)))
                                         : static_cast<unsigned __int128>(amount.pico);
  std::string digits;
  do {
    digits.insert(digits.begin(), static_cast<char>('0' + static_cast<int>(magnitude % 10)));
    magnitude /= 10;
  } while (magnitude > 0);
  if (digits.size() < 13) digits.insert(0, 13 - digits.size(), '0');
  digits.insert(digits.size() - 12, 1, '.');
  return negative ? "-" + digits : digits;
}

std::optional<Money> cost_of(const Usage& usage, const TokenPrices& prices) {
  if (usage.input_tokens < 0 || usage.output_tokens < 0 || usage.cache_read_tokens < 0 || usage.cache_write_tokens < 0) {
    return std::nullopt;
  }
  __int128 uncached = static_cast<__int128>(usage.input_tokens) - usage.cache_read_tokens - usage.cache_write_tokens;
  if (uncached < 0) return std::nullopt;
  __int128 total = uncached * prices.input + static_cast<__int128>(usage.cache_read_tokens) * prices.cache_read +
                   static_cast<__int128>(usage.cache_write_tokens) * prices.cache_write +
                   static_cast<__int128>(usage.output_tokens) * prices.output;
  if (total > std::numeric_limits<std::int64_t>::max() || total < 0) return std::nullopt;
  return Money{static_cast<std::int64_t>(total)};
}

}  // namespace switchyard
