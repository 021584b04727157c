#include "providers/list_prices.h"

namespace switchyard::providers {

std::optional<double> list_price_per_mtok(std::string_view model) {
  struct Price {
    std::string_view prefix;
    double input;
    double output;
  };
  // Longest prefixes first, so "gpt-4o-mini" is not priced as "gpt-4o".
  static constexpr Price kPrices[] = {
      {"gpt-4o-mini", 0.15, 0.60},      {"gpt-4o", 2.50, 10.00},          {"gpt-4.1-nano", 0.10, 0.40},
      {"gpt-4.1-mini", 0.40, 1.60},     {"gpt-4.1", 2.00, 8.00},          {"o4-mini", 1.10, 4.40},
      {"claude-haiku", 1.00, 5.00},     {"claude-sonnet", 3.00, 15.00},   {"claude-opus", 15.00, 75.00},
      {"gemini-2.5-flash-lite", 0.10, 0.40}, {"gemini-2.5-flash", 0.30, 2.50}, {"gemini-2.5-pro", 1.25, 10.00},
      {"gemini-2.0-flash", 0.10, 0.40}, {"mock", 0.0, 0.0},
  };
  for (const Price& price : kPrices) {
    if (model.starts_with(price.prefix)) return price.input + price.output;
  }
  return std::nullopt;
}

}  // namespace switchyard::providers
