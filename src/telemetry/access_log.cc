#include "telemetry/access_log.h"

#include "core/log.h"

namespace switchyard::telemetry {

void write_access_log(const AccessRecord& r) {
  std::string path = r.path.substr(0, r.path.find('?'));
  if (r.provider.empty()) {
    log::info("request", {{"request_id", r.request_id},
                          {"method", r.method},
                          {"path", path},
                          {"status", r.status},
                          {"model", r.model},
                          {"duration_us", r.duration_us},
                          {"error", r.error_code}});
    return;
  }
  log::info("request", {{"request_id", r.request_id},
                        {"method", r.method},
                        {"path", path},
                        {"status", r.status},
                        {"dialect", r.dialect},
                        {"model", r.model},
                        {"provider", r.provider},
                        {"upstream_model", r.upstream_model},
                        {"upstream_status", r.upstream_status},
                        {"attempts", r.attempts},
                        {"stream", r.stream},
                        {"duration_us", r.duration_us},
                        {"upstream_us", r.upstream_us},
                        {"input_tokens", r.usage.input_tokens},
                        {"output_tokens", r.usage.output_tokens},
                        {"usage_reported", r.usage.reported},
                        {"error", r.error_code},
                        {"attempt_log", r.attempt_log}});
}

}  // namespace switchyard::telemetry
