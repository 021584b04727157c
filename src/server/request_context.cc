#include "server/request_context.h"

#include <charconv>

#include "core/log.h"
#include "telemetry/access_log.h"

namespace switchyard::server {

std::chrono::microseconds RequestContext::overhead(std::optional<std::chrono::steady_clock::time_point> attempt_started) const {
  auto now = std::chrono::steady_clock::now();
  auto spent = now - received_at - upstream_time - waited;
  if (attempt_started) spent -= now - *attempt_started;
  return std::max(std::chrono::microseconds(0), std::chrono::duration_cast<std::chrono::microseconds>(spent));
}

void RequestContext::set_routing_headers(http::ResponseChannel& channel, const std::string& deployment,
                                         std::optional<std::chrono::steady_clock::time_point> attempt_started) const {
  char digits[20];
  channel.set_header("x-switchyard-deployment", deployment);
  channel.set_header("x-switchyard-attempts", {digits, std::to_chars(digits, digits + sizeof digits, attempts).ptr});
  auto overhead_us = overhead(attempt_started).count();
  channel.set_header("x-switchyard-overhead-us",
                     {digits, std::to_chars(digits, digits + sizeof digits, overhead_us).ptr});
}

SettleGuard::~SettleGuard() {
  // Settling is only the access log so far; do not build a record nobody will write.
  if (!context_.log_access || !log::enabled(log::Level::info)) return;
  using std::chrono::duration_cast;
  using std::chrono::microseconds;
  telemetry::AccessRecord record;
  record.request_id = context_.request_id;
  record.method = context_.method;
  record.path = context_.path;
  record.status = context_.status;
  record.dialect = context_.dialect;
  record.model = context_.model;
  record.provider = context_.provider;
  record.upstream_model = context_.upstream_model;
  record.upstream_status = context_.upstream_status;
  record.attempts = context_.attempts;
  record.stream = context_.stream;
  record.duration_us = duration_cast<microseconds>(std::chrono::steady_clock::now() - context_.received_at).count();
  record.upstream_us = duration_cast<microseconds>(context_.upstream_time).count();
  record.usage = context_.usage;
  record.error_code = context_.error_code;
  record.attempt_log = context_.attempt_log;
  try {
    telemetry::write_access_log(record);
  } catch (...) {  // a destructor must not throw; losing one log line is the lesser harm
  }
}

}  // namespace switchyard::server
