// A sink that appends every outcome to a file as one JSON object per line. Registered only
// by test builds (SWITCHYARD_OUTCOME_FILE), so the integration tests can check that each
// request settles exactly once and with what.
#pragma once

#include <string>

#include "core/outcome.h"

namespace switchyard::telemetry {

class OutcomeFileSink final : public OutcomeSink {
 public:
  // Opens (creates, appends to) `path`; throws std::runtime_error when it cannot.
  explicit OutcomeFileSink(const std::string& path);
  ~OutcomeFileSink() override;
  OutcomeFileSink(const OutcomeFileSink&) = delete;
  OutcomeFileSink& operator=(const OutcomeFileSink&) = delete;

  void on_outcome(const Outcome& outcome) noexcept override;

  // The line on_outcome writes for `outcome`, without its newline.
  static std::string json_line(const Outcome& outcome);

 private:
  int fd_ = -1;
};

}  // namespace switchyard::telemetry
