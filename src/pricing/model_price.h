// What one model costs per token, as a price list publishes it: input, output, cache-read and
// cache-write prices, each possibly higher past a long-context threshold, possibly changing
// on a date. Turns a request's usage into its exact cost.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/money.h"
#include "core/usage.h"

namespace switchyard::pricing {

// A price in pico-dollars per token, with the tiers some providers publish for long
// prompts: a request with more than `above` input tokens (cache included) pays the tier's
// price for all its tokens of that kind.
struct TieredPrice {
  struct Tier {
    std::int64_t above = 0;
    std::int64_t price = 0;
  };
  std::int64_t base = 0;
  std::vector<Tier> tiers;  // ascending by `above`

  std::int64_t at(std::int64_t input_tokens) const;
};

// The prices in force from a date on. A missing cache price means those tokens are billed
// as input; a missing output price means the model has no output (embeddings); a missing
// input price means the price is not known.
struct PriceStep {
  std::optional<std::chrono::sys_days> from;  // none: since always
  std::optional<TieredPrice> input;
  std::optional<TieredPrice> output;
  std::optional<TieredPrice> cache_read;
  std::optional<TieredPrice> cache_write;
};

struct ModelPrice {
  std::string id;                // the catalogue's model id ("gpt-4o"), or "configured"
  std::vector<PriceStep> steps;  // ascending by date; the first one has no date

  // The step in force on `day`.
  const PriceStep& on(std::chrono::sys_days day) const;
  // The per-token prices a request started on `day` with `input_tokens` tokens of input
  // pays; nullopt when the input price is unknown.
  std::optional<TokenPrices> for_request(std::chrono::sys_days day, std::int64_t input_tokens) const;
  // Input plus output per token at the base prices in force on `day` (lowest-cost routing).
  std::optional<std::int64_t> base_per_token(std::chrono::sys_days day) const;
};

// The exact cost of `usage` under `price` on `day`; nullopt when it cannot be known (no
// input price, output tokens without an output price, counts that contradict each other).
std::optional<Money> cost_of(const Usage& usage, const ModelPrice& price, std::chrono::sys_days day);

// A price a configuration gives (`price: {input: 2.50, output: 10.00, cache_read: 1.25,
// cache_write: 3.75}`), in pico-dollars per token, in force since always. Cache prices left
// out bill those tokens as input.
ModelPrice configured_price(std::int64_t input, std::int64_t output, std::optional<std::int64_t> cache_read,
                            std::optional<std::int64_t> cache_write);

// The UTC day `time` falls on.
inline std::chrono::sys_days day_of(std::chrono::system_clock::time_point time) {
  return std::chrono::floor<std::chrono::days>(time);
}

}  // namespace switchyard::pricing
