// The access log, as a sink: one line per request when it settles — who asked for what,
// where it went, how it ended and what it cost in time and tokens. No secrets and no
// bodies. Health probes are left out.
#pragma once

#include "core/outcome.h"

namespace switchyard::telemetry {

class AccessLogSink final : public OutcomeSink {
 public:
  void on_outcome(const Outcome& outcome) noexcept override;
};

}  // namespace switchyard::telemetry
