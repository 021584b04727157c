#include "server/admin.h"

#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include "core/log.h"

namespace switchyard::server {
namespace json = boost::json;

std::string deployments_json(const routing::Router& router) {
  json::array list;
  for (const auto& d : router.status()) {
    list.push_back(json::object{{"alias", d.alias.empty() ? json::value(nullptr) : json::value(json::string(d.alias))},
                                {"provider", d.provider},
                                {"model", d.model},
                                {"state", routing::health_state_name(d.state)},
                                {"in_flight", d.in_flight},
                                {"latency_ms", static_cast<double>(d.latency_us) / 1000.0},
                                {"successes", d.successes},
                                {"failures", d.failures},
                                {"cooldown_remaining_ms", d.cooldown_remaining_ms}});
  }
  return json::serialize(json::object{{"deployments", std::move(list)}});
}

namespace {

// Label values in the Prometheus text format escape backslash, quote and newline.
std::string label(std::string_view value) {
  std::string out;
  for (char c : value) {
    if (c == '\\' || c == '"') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out;
}

}  // namespace

std::string metrics_text(const routing::Router& router, const ActiveConfig& config) {
  auto statuses = router.status();
  std::string out;
  auto family = [&](std::string_view name, std::string_view type, std::string_view help, auto value_of) {
    out += "# HELP ";
    out += name;
    out += ' ';
    out += help;
    out += "\n# TYPE ";
    out += name;
    out += ' ';
    out += type;
    out += '\n';
    for (const auto& d : statuses) {
      out += name;
      out += "{alias=\"" + label(d.alias) + "\",provider=\"" + label(d.provider) + "\",model=\"" + label(d.model) + "\"} ";
      out += value_of(d);
      out += '\n';
    }
  };
  using Status = routing::Router::DeploymentStatus;
  family("switchyard_deployment_state", "gauge", "0 healthy, 1 cooling down, 2 half-open (probing)",
         [](const Status& d) { return std::to_string(static_cast<int>(d.state)); });
  family("switchyard_deployment_in_flight", "gauge", "requests in flight",
         [](const Status& d) { return std::to_string(d.in_flight); });
  family("switchyard_deployment_latency_seconds", "gauge", "moving average of time to first token",
         [](const Status& d) { return std::to_string(static_cast<double>(d.latency_us) / 1e6); });
  family("switchyard_deployment_successes_total", "counter", "attempts that succeeded",
         [](const Status& d) { return std::to_string(d.successes); });
  family("switchyard_deployment_failures_total", "counter", "attempts that failed in a retryable way",
         [](const Status& d) { return std::to_string(d.failures); });
  out += "# HELP switchyard_config_reloads_total configuration reloads, by result\n"
         "# TYPE switchyard_config_reloads_total counter\n";
  out += "switchyard_config_reloads_total{result=\"success\"} " +
         std::to_string(config.reloads_succeeded.load(std::memory_order_relaxed)) + "\n";
  out += "switchyard_config_reloads_total{result=\"failure\"} " +
         std::to_string(config.reloads_failed.load(std::memory_order_relaxed)) + "\n";
  out += "# HELP switchyard_log_lines_dropped_total log lines dropped because stderr could not keep up\n"
         "# TYPE switchyard_log_lines_dropped_total counter\n";
  out += "switchyard_log_lines_dropped_total " + std::to_string(log::dropped_lines()) + "\n";
  return out;
}

}  // namespace switchyard::server
