#include "telemetry/outcome_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

#include "core/json_writer.h"

namespace switchyard::telemetry {

OutcomeFileSink::OutcomeFileSink(const std::string& path) {
  fd_ = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (fd_ < 0) throw std::runtime_error("cannot open '" + path + "': " + std::strerror(errno));
}

OutcomeFileSink::~OutcomeFileSink() {
  if (fd_ >= 0) ::close(fd_);
}

std::string OutcomeFileSink::json_line(const Outcome& o) {
  std::string line;
  JsonWriter json(line);
  json.begin_object()
      .member("request_id", o.request_id)
      .member("method", o.method)
      .member("path", o.path)
      .member("operation", o.operation)
      .member("dialect", o.dialect)
      .member("principal", principal_kind_name(o.principal.kind))
      .member("model", o.model)
      .member("stream", o.stream)
      .member("health_probe", o.health_probe)
      .member("provider", o.provider)
      .member("upstream_model", o.upstream_model)
      .member("upstream_status", std::int64_t{o.upstream_status})
      .member("attempts", std::int64_t{o.attempts})
      .member("attempt_log", o.attempt_log)
      .member("status", std::int64_t{o.status})
      .member("ending", ending_name(o.ending))
      .member("error_code", o.error_code)
      .member("input_tokens", o.usage.input_tokens)
      .member("output_tokens", o.usage.output_tokens)
      .member("total_us", static_cast<std::int64_t>(o.timings.total.count()))
      .member("upstream_us", static_cast<std::int64_t>(o.timings.upstream.count()))
      .member("overhead_us", static_cast<std::int64_t>(o.timings.overhead.count()));
  json.key("ttft_us");
  if (o.timings.time_to_first_token) {
    json.integer(o.timings.time_to_first_token->count());
  } else {
    json.null();
  }
  json.end_object();
  return line;
}

void OutcomeFileSink::on_outcome(const Outcome& outcome) noexcept {
  try {
    std::string line = json_line(outcome);
    line += '\n';
    // One write per line with O_APPEND: lines from several threads never interleave.
    [[maybe_unused]] auto written = ::write(fd_, line.data(), line.size());
  } catch (...) {
  }
}

}  // namespace switchyard::telemetry
