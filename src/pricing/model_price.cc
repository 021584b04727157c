#include "pricing/model_price.h"

namespace switchyard::pricing {

std::int64_t TieredPrice::at(std::int64_t input_tokens) const {
  std::int64_t price = base;
  for (const Tier& tier : tiers) {
    if (input_tokens > tier.above) price = tier.price;
  }
  return price;
}

const PriceStep& ModelPrice::on(std::chrono::sys_days day) const {
  const PriceStep* current = &steps.front();
  for (const PriceStep& step : steps) {
    if (!step.from || *step.from <= day) current = &step;
  }
  return *current;
}

std::optional<TokenPrices> ModelPrice::for_request(std::chrono::sys_days day, std::int64_t input_tokens) const {
  if (steps.empty()) return std::nullopt;
  const PriceStep& step = on(day);
  if (!step.input) return std::nullopt;
  TokenPrices prices;
  prices.input = step.input->at(input_tokens);
  prices.output = step.output ? step.output->at(input_tokens) : 0;
  prices.cache_read = step.cache_read ? step.cache_read->at(input_tokens) : prices.input;
  prices.cache_write = step.cache_write ? step.cache_write->at(input_tokens) : prices.input;
  return prices;
}

std::optional<std::int64_t> ModelPrice::base_per_token(std::chrono::sys_days day) const {
  if (steps.empty()) return std::nullopt;
  const PriceStep& step = on(day);
  if (!step.input) return std::nullopt;
  return step.input->base + (step.output ? step.output->base : 0);
}

std::optional<Money> cost_of(const Usage& usage, const ModelPrice& price, std::chrono::sys_days day) {
  std::optional<TokenPrices> prices = price.for_request(day, usage.input_tokens);
  if (!prices) return std::nullopt;
  if (usage.output_tokens > 0 && !price.on(day).output) return std::nullopt;
  return cost_of(usage, *prices);
}

ModelPrice configured_price(std::int64_t input, std::int64_t output, std::optional<std::int64_t> cache_read,
                            std::optional<std::int64_t> cache_write) {
  PriceStep step;
  step.input = TieredPrice{input, {}};
  step.output = TieredPrice{output, {}};
  if (cache_read) step.cache_read = TieredPrice{*cache_read, {}};
  if (cache_write) step.cache_write = TieredPrice{*cache_write, {}};
  return ModelPrice{"configured", {std::move(step)}};
}

}  // namespace switchyard::pricing
