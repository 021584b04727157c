// Writing the Prometheus text exposition format (version 0.0.4): a family's HELP and TYPE
// lines, then its samples; label values escaped; histograms as cumulative buckets with
// their sum and count.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace switchyard::telemetry {

using Labels = std::vector<std::pair<std::string_view, std::string_view>>;

class PrometheusText {
 public:
  explicit PrometheusText(std::string& out) : out_(out) {}

  // "# HELP name help\n# TYPE name type\n"; once per family, before its samples.
  void family(std::string_view name, std::string_view type, std::string_view help);
  // name{labels} value
  void sample(std::string_view name, const Labels& labels, std::string_view value);
  void sample(std::string_view name, const Labels& labels, std::int64_t value);
  // A histogram's samples: `counts` per bucket (not cumulative) for the upper `bounds`, then
  // the overflow; bounds and sum are in `unit`s of the exposed value (1e-6: microseconds
  // exposed as seconds).
  void histogram(std::string_view name, const Labels& labels, std::span<const std::int64_t> bounds,
                 std::span<const std::uint64_t> counts, std::int64_t sum, double unit);

 private:
  void series(std::string_view name, std::string_view suffix, const Labels& labels, std::string_view extra_label = {},
              std::string_view extra_value = {});
  std::string& out_;
};

// `value` × `unit` as a short decimal ("0.005", "2.5", "1e-05" is never written).
std::string format_scaled(std::int64_t value, double unit);

}  // namespace switchyard::telemetry
