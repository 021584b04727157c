// Money as an integer number of pico-dollars (10^-12 USD), never floating point. Every price
// providers publish per million tokens (to six decimals) is then an exact number of
// pico-dollars per token, and a request's cost is exact integer arithmetic; sums stay exact
// up to about 9.2 million dollars.
#pragma once

#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/usage.h"

namespace switchyard {

struct Money {
  std::int64_t pico = 0;

  friend constexpr auto operator<=>(Money, Money) = default;
  constexpr Money& operator+=(Money other) {
    pico += other.pico;
    return *this;
  }
  friend constexpr Money operator+(Money a, Money b) { return Money{a.pico + b.pico}; }
};

// "2.50" US dollars per million tokens, as price lists and configurations write it, as
// pico-dollars per token (2,500,000). nullopt for anything but a plain non-negative decimal
// with at most six fraction digits (no sign, exponent or spaces) or one too large to hold.
std::optional<std::int64_t> parse_usd_per_million_tokens(std::string_view text);

// "0.05" US dollars (a budget) as pico-dollars: a plain non-negative decimal with at most
// twelve fraction digits, else nullopt.
std::optional<Money> parse_usd(std::string_view text);

// The inverse of parse_usd_per_million_tokens: 2,500,000 → "2.5" (no trailing zeros).
std::string format_usd_per_million_tokens(std::int64_t pico_per_token);

// The amount in dollars with all twelve fraction digits ("0.000012345000"): exact, never
// rounded, never in exponent form. Negative amounts get a leading '-'.
std::string format_usd(Money amount);

// What one token of each kind costs, in pico-dollars.
struct TokenPrices {
  std::int64_t input = 0;        // uncached input
  std::int64_t output = 0;       // output, reasoning included
  std::int64_t cache_read = 0;
  std::int64_t cache_write = 0;
};

// uncached input × input + cache reads × cache_read + cache writes × cache_write + output ×
// output, where `usage.input_tokens` counts cache reads and writes among its tokens and
// `output_tokens` counts reasoning. nullopt when the counts contradict each other (more cached
// than input, a negative count) or the product does not fit.
std::optional<Money> cost_of(const Usage& usage, const TokenPrices& prices);

}  // namespace switchyard
