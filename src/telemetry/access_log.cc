#include "telemetry/access_log.h"

#include "core/log.h"

namespace switchyard::telemetry {

void AccessLogSink::on_outcome(const Outcome& r) noexcept {
  if (r.health_probe || !log::enabled(log::Level::info)) return;
  try {
    std::string_view path = std::string_view(r.path).substr(0, r.path.find('?'));
    std::int64_t duration_us = r.timings.total.count();
    if (r.provider.empty()) {
      log::info("request", {{"request_id", r.request_id},
                            {"method", r.method},
                            {"path", path},
                            {"status", r.status},
                            {"model", r.model},
                            {"principal", principal_kind_name(r.principal.kind)},
                            {"key_id", r.principal.key_id},
                            {"ending", ending_name(r.ending)},
                            {"duration_us", duration_us},
                            {"error", r.error_code}});
      return;
    }
    std::int64_t ttft_us = r.timings.time_to_first_token ? r.timings.time_to_first_token->count() : -1;
    log::info("request", {{"request_id", r.request_id},
                          {"method", r.method},
                          {"path", path},
                          {"status", r.status},
                          {"dialect", r.dialect},
                          {"model", r.model},
                          {"principal", principal_kind_name(r.principal.kind)},
                          {"key_id", r.principal.key_id},
                          {"provider", r.provider},
                          {"upstream_model", r.upstream_model},
                          {"upstream_status", r.upstream_status},
                          {"attempts", r.attempts},
                          {"stream", r.stream},
                          {"ending", ending_name(r.ending)},
                          {"duration_us", duration_us},
                          {"ttft_us", ttft_us},
                          {"upstream_us", r.timings.upstream.count()},
                          {"overhead_us", r.timings.overhead.count()},
                          {"input_tokens", r.usage.input_tokens},
                          {"output_tokens", r.usage.output_tokens},
                          {"usage_reported", r.usage.reported},
                          {"error", r.error_code},
                          {"attempt_log", r.attempt_log}});
  } catch (...) {  // a sink must not throw; losing one log line is the lesser harm
  }
}

}  // namespace switchyard::telemetry
