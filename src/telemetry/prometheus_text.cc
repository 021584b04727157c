#include "telemetry/prometheus_text.h"

#include <cstdio>

namespace switchyard::telemetry {

namespace {

void append_label_value(std::string& out, std::string_view value) {
  for (char c : value) {
    if (c == '\\' || c == '"') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
}

}  // namespace

std::string format_scaled(std::int64_t value, double unit) {
  char text[40];
  std::snprintf(text, sizeof text, "%.9f", static_cast<double>(value) * unit);
  std::string out(text);
  while (out.back() == '0') out.pop_back();
  if (out.back() == '.') out.pop_back();
  return out;
}

void PrometheusText::family(std::string_view name, std::string_view type, std::string_view help) {
  out_ += "# HELP ";
  out_ += name;
  out_ += ' ';
  out_ += help;
  out_ += "\n# TYPE ";
  out_ += name;
  out_ += ' ';
  out_ += type;
  out_ += '\n';
}

void PrometheusText::series(std::string_view name, std::string_view suffix, const Labels& labels,
                            std::string_view extra_label, std::string_view extra_value) {
  out_ += name;
  out_ += suffix;
  if (labels.empty() && extra_label.empty()) return;
  out_ += '{';
  bool first = true;
  auto put = [&](std::string_view key, std::string_view value) {
    if (!first) out_ += ',';
    first = false;
    out_ += key;
    out_ += "=\"";
    append_label_value(out_, value);
    out_ += '"';
  };
  for (const auto& [key, value] : labels) put(key, value);
  if (!extra_label.empty()) put(extra_label, extra_value);
  out_ += '}';
}

void PrometheusText::sample(std::string_view name, const Labels& labels, std::string_view value) {
  series(name, "", labels);
  out_ += ' ';
  out_ += value;
  out_ += '\n';
}

void PrometheusText::sample(std::string_view name, const Labels& labels, std::int64_t value) {
  sample(name, labels, std::to_string(value));
}

void PrometheusText::histogram(std::string_view name, const Labels& labels, std::span<const std::int64_t> bounds,
                               std::span<const std::uint64_t> counts, std::int64_t sum, double unit) {
  std::uint64_t cumulative = 0;
  for (std::size_t i = 0; i < bounds.size(); ++i) {
    cumulative += counts[i];
    series(name, "_bucket", labels, "le", format_scaled(bounds[i], unit));
    out_ += ' ' + std::to_string(cumulative) + '\n';
  }
  cumulative += counts[bounds.size()];
  series(name, "_bucket", labels, "le", "+Inf");
  out_ += ' ' + std::to_string(cumulative) + '\n';
  series(name, "_sum", labels);
  out_ += ' ' + format_scaled(sum, unit) + '\n';
  series(name, "_count", labels);
  out_ += ' ' + std::to_string(cumulative) + '\n';
}

}  // namespace switchyard::telemetry
