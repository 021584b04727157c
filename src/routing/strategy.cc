#include "routing/strategy.h"

#include <algorithm>
#include <limits>
#include <numeric>

namespace switchyard::routing {

std::optional<Strategy> parse_strategy(std::string_view name) {
  if (name == "priority") return Strategy::priority;
  if (name == "weighted") return Strategy::weighted;
  if (name == "least-busy") return Strategy::least_busy;
  if (name == "lowest-latency") return Strategy::lowest_latency;
  if (name == "lowest-cost") return Strategy::lowest_cost;
  return std::nullopt;
}

std::string_view strategy_name(Strategy strategy) {
  switch (strategy) {
    case Strategy::priority: return "priority";
    case Strategy::weighted: return "weighted";
    case Strategy::least_busy: return "least-busy";
    case Strategy::lowest_latency: return "lowest-latency";
    case Strategy::lowest_cost: return "lowest-cost";
  }
  return "priority";
}

std::vector<std::size_t> order_deployments(Strategy strategy, const std::vector<DeploymentFacts>& facts,
                                           std::mt19937_64& random) {
  std::vector<std::size_t> order(facts.size());
  std::iota(order.begin(), order.end(), 0);
  switch (strategy) {
    case Strategy::priority:
      std::stable_sort(order.begin(), order.end(),
                       [&](std::size_t a, std::size_t b) { return facts[a].priority < facts[b].priority; });
      break;
    case Strategy::weighted: {
      // Weighted sampling without replacement: the first pick follows the weights, and the
      // rest of the order is the fallback sequence.
      std::vector<std::size_t> remaining = order;
      order.clear();
      while (!remaining.empty()) {
        double total = 0;
        for (std::size_t i : remaining) total += std::max(0.0, facts[i].weight);
        std::size_t pick = 0;
        if (total > 0) {
          double point = std::uniform_real_distribution<double>(0, total)(random);
          for (std::size_t k = 0; k < remaining.size(); ++k) {
            point -= std::max(0.0, facts[remaining[k]].weight);
            if (point < 0) {
              pick = k;
              break;
            }
            pick = k;
          }
        }
        order.push_back(remaining[pick]);
        remaining.erase(remaining.begin() + static_cast<std::ptrdiff_t>(pick));
      }
      break;
    }
    case Strategy::least_busy:
      // Shuffle first so equally busy deployments share the load.
      std::shuffle(order.begin(), order.end(), random);
      std::stable_sort(order.begin(), order.end(),
                       [&](std::size_t a, std::size_t b) { return facts[a].in_flight < facts[b].in_flight; });
      break;
    case Strategy::lowest_latency:
      std::stable_sort(order.begin(), order.end(),
                       [&](std::size_t a, std::size_t b) { return facts[a].latency_us < facts[b].latency_us; });
      break;
    case Strategy::lowest_cost:
      std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
        constexpr std::int64_t kUnknown = std::numeric_limits<std::int64_t>::max();
        return facts[a].price_per_token.value_or(kUnknown) < facts[b].price_per_token.value_or(kUnknown);
      });
      break;
  }
  return order;
}

}  // namespace switchyard::routing
