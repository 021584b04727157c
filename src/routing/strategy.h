// How an alias orders its deployments for one request.
#pragma once

#include <cstdint>
#include <optional>
#include <random>
#include <string_view>
#include <vector>

namespace switchyard::routing {

enum class Strategy {
  priority,        // by `priority` (lower first), then as listed
  weighted,        // random, in proportion to `weight`
  least_busy,      // fewest requests in flight first
  lowest_latency,  // lowest latency average first; unmeasured ones first, to learn them
  lowest_cost,     // cheapest input plus output token first (the deployment's price)
};

std::optional<Strategy> parse_strategy(std::string_view name);
std::string_view strategy_name(Strategy strategy);

// What a strategy looks at for each deployment.
struct DeploymentFacts {
  int priority = 0;
  double weight = 1;
  int in_flight = 0;
  std::int64_t latency_us = 0;
  std::optional<std::int64_t> price_per_token;  // input plus output, pico-dollars; unknown sorts last
};

// The order to try deployments in, as indexes into `facts`.
std::vector<std::size_t> order_deployments(Strategy strategy, const std::vector<DeploymentFacts>& facts,
                                           std::mt19937_64& random);

}  // namespace switchyard::routing
