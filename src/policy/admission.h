// The admit phase: after the request is parsed (its model and size known) and before any
// upstream is tried, each admission step may refuse it (403 for what the caller may not
// use, 429 for a limit) and may reserve capacity in the request's Reservation, which the
// settle phase trues up to what the request really used. Model access, rate limits,
// token limits and budgets are steps; adding one touches no pipeline code.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string_view>
#include <vector>

#include "core/error.h"
#include "core/principal.h"
#include "core/reservation.h"

namespace switchyard::policy {

struct AdmissionRequest {
  const Principal& principal;
  std::string_view operation;  // "generate", "embed", "count_tokens", "list_models"
  std::string_view model;      // as the client asked
  bool stream = false;
  std::optional<std::int64_t> max_output_tokens;  // when the request states one
};

class AdmissionStep {
 public:
  virtual ~AdmissionStep() = default;
  // Refuses with an error in the client's terms, or admits (reserving into `reservation`).
  // What a step reserved before a later step refused is settled with the request.
  virtual std::optional<GatewayError> admit(const AdmissionRequest& request, Reservation& reservation) const = 0;
};

class Admission {
 public:
  void add(std::shared_ptr<const AdmissionStep> step) { steps_.push_back(std::move(step)); }

  // Runs every step in order; the first refusal ends admission.
  std::optional<GatewayError> admit(const AdmissionRequest& request, Reservation& reservation) const {
    for (const auto& step : steps_) {
      if (auto refusal = step->admit(request, reservation)) return refusal;
    }
    return std::nullopt;
  }

 private:
  std::vector<std::shared_ptr<const AdmissionStep>> steps_;
};

}  // namespace switchyard::policy
