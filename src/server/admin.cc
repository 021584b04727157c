#include "server/admin.h"

#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include "core/log.h"
#include "core/request_gauges.h"
#include "ledger/ledger.h"
#include "policy/access_control.h"
#include "policy/redis_limiter.h"
#include "telemetry/otlp_exporter.h"
#include "telemetry/prometheus_text.h"
#include "telemetry/request_metrics.h"

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

std::string metrics_text(const routing::Router& router, const ActiveConfig& config,
                         const telemetry::RequestMetrics* requests, const ledger::Ledger* ledger,
                         const telemetry::OtlpExporter* traces, const policy::AccessControl* access) {
  std::string out;
  if (requests) requests->append_exposition(out);
  telemetry::PrometheusText text(out);
  auto gauge = [&](std::string_view name, std::string_view type, std::string_view help, std::int64_t value) {
    text.family(name, type, help);
    text.sample(name, {}, value);
  };
  gauge("switchyard_inflight_requests", "gauge", "Requests being served now (the scrape included)",
        request_gauges().in_flight.load(std::memory_order_relaxed));
  gauge("switchyard_open_streams", "gauge", "Streamed answers going out now",
        request_gauges().open_streams.load(std::memory_order_relaxed));

  // Configured deployments only: a client-named PROVIDER/MODEL would make a series per name.
  std::vector<routing::Router::DeploymentStatus> statuses;
  for (auto& status : router.status()) {
    if (!status.alias.empty()) statuses.push_back(std::move(status));
  }
  using Status = routing::Router::DeploymentStatus;
  auto deployment_family = [&](std::string_view name, std::string_view type, std::string_view help, auto value_of) {
    text.family(name, type, help);
    for (const Status& d : statuses) {
      text.sample(name, {{"alias", d.alias}, {"provider", d.provider}, {"model", d.model}}, value_of(d));
    }
  };
  deployment_family("switchyard_deployment_state", "gauge", "Circuit breaker: 0 healthy, 1 cooling down, 2 half-open (probing)",
                    [](const Status& d) { return std::to_string(static_cast<int>(d.state)); });
  deployment_family("switchyard_deployment_in_flight", "gauge", "Attempts in flight at the deployment",
                    [](const Status& d) { return std::to_string(d.in_flight); });
  deployment_family("switchyard_deployment_latency_seconds", "gauge", "Moving average of the time to first token",
                    [](const Status& d) { return telemetry::format_scaled(d.latency_us, 1e-6); });
  deployment_family("switchyard_deployment_successes_total", "counter", "Attempts that succeeded",
                    [](const Status& d) { return std::to_string(d.successes); });
  deployment_family("switchyard_deployment_failures_total", "counter", "Attempts that failed in a retryable way",
                    [](const Status& d) { return std::to_string(d.failures); });

  text.family("switchyard_config_reloads_total", "counter", "Configuration reloads, by result");
  text.sample("switchyard_config_reloads_total", {{"result", "success"}},
              static_cast<std::int64_t>(config.reloads_succeeded.load(std::memory_order_relaxed)));
  text.sample("switchyard_config_reloads_total", {{"result", "failure"}},
              static_cast<std::int64_t>(config.reloads_failed.load(std::memory_order_relaxed)));

  if (ledger) {
    const ledger::LedgerCounters& counters = ledger->counters();
    auto counter = [&](std::string_view name, std::string_view help, const std::atomic<std::uint64_t>& value) {
      gauge(name, "counter", help, static_cast<std::int64_t>(value.load(std::memory_order_relaxed)));
    };
    gauge("switchyard_ledger_queue_depth", "gauge", "Ledger rows waiting for the writer",
          static_cast<std::int64_t>(ledger->queue_depth()));
    gauge("switchyard_ledger_database_up", "gauge", "1 when the ledger's last write to its database succeeded",
          ledger->store_healthy() ? 1 : 0);
    counter("switchyard_ledger_rows_written_total", "Ledger rows written to the database from the queue", counters.rows_written);
    counter("switchyard_ledger_batches_written_total", "Ledger batches (transactions) written", counters.batches_written);
    counter("switchyard_ledger_rows_spooled_total", "Ledger rows set aside in the local spool (database failing or queue full)",
            counters.rows_spooled);
    counter("switchyard_ledger_rows_replayed_total", "Spooled ledger rows written once the database was back",
            counters.rows_replayed);
    counter("switchyard_ledger_rows_dropped_total", "Ledger rows lost: neither the database nor the spool took them",
            counters.rows_dropped);
    counter("switchyard_ledger_write_failures_total", "Ledger batches the database refused", counters.write_failures);
  }
  if (traces) {
    const telemetry::OtlpCounters& counters = traces->counters();
    gauge("switchyard_otlp_spans_exported_total", "counter", "Trace spans the OTLP collector accepted",
          static_cast<std::int64_t>(counters.spans_exported.load(std::memory_order_relaxed)));
    gauge("switchyard_otlp_spans_dropped_total", "counter", "Trace spans not exported: queue full or export failed",
          static_cast<std::int64_t>(counters.spans_dropped.load(std::memory_order_relaxed)));
    gauge("switchyard_otlp_export_failures_total", "counter", "Exports the OTLP collector did not accept (or never got)",
          static_cast<std::int64_t>(counters.export_failures.load(std::memory_order_relaxed)));
  }
  if (access) {
    auto count = [](const std::atomic<std::uint64_t>& value) {
      return static_cast<std::int64_t>(value.load(std::memory_order_relaxed));
    };
    if (access->redis) {
      gauge("switchyard_limits_redis_up", "gauge", "1 when the shared limits' Redis answered its last batch",
            access->redis->up.load(std::memory_order_relaxed) ? 1 : 0);
      gauge("switchyard_limits_redis_failures_total", "counter", "Batches of limit commands Redis did not answer",
            count(access->redis->failures));
      gauge("switchyard_limits_fail_open_total", "counter",
            "Requests admitted under this process's own limits while Redis was unreachable (fail_open)",
            count(access->redis->fail_open_admits));
    }
    // Refusals of virtual keys, by reason; the labels are fixed, never a key's own.
    std::string_view name = "switchyard_access_denials_total";
    text.family(name, "counter", "Requests of virtual keys refused, by reason");
    const policy::AccessCounters& counters = access->counters;
    text.sample(name, {{"reason", "unknown_key"}}, count(counters.unknown_key));
    text.sample(name, {{"reason", "model_not_allowed"}}, count(counters.model_not_allowed));
    text.sample(name, {{"reason", "unpriced_model"}}, count(counters.unpriced_for_budget));
    for (policy::Denial denial : {policy::Denial::requests, policy::Denial::tokens, policy::Denial::parallel,
                                  policy::Denial::budget, policy::Denial::unavailable}) {
      text.sample(name, {{"reason", policy::denial_name(denial)}},
                  count(counters.limited[static_cast<std::size_t>(denial)]));
    }
  }
  gauge("switchyard_log_lines_dropped_total", "counter", "Log lines dropped because stderr could not keep up",
        static_cast<std::int64_t>(log::dropped_lines()));
  return out;
}

}  // namespace switchyard::server
