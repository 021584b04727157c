// The admit phase: after the request is parsed (its model and size known) and before any
// upstream is tried, each admission step may refuse it (403 for what the caller may not
// use, 429 for a limit) and may reserve capacity in the request's Reservation, which the
// settle phase trues up to what the request really used. Model access, rate limits,
// token limits and budgets are steps; adding one touches no pipeline code.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/error.h"
#include "core/principal.h"
#include "core/rate_limit_status.h"
#include "core/reservation.h"

namespace switchyard::routing {
class Router;
}

namespace switchyard::policy {

struct AdmissionRequest {
  const Principal& principal;
  std::string_view operation;  // "generate", "embed", "count_tokens", "list_models"
  std::string_view model;      // as the client asked
  const std::vector<std::string>& fallback_models;  // the request's own fallbacks (OpenRouter's `models`)
  bool stream = false;
  std::optional<std::int64_t> max_output_tokens;  // when the request states one
  std::size_t body_size = 0;                      // bytes: the bound on its input tokens
  const routing::Router& router;                  // the snapshot's: what the model may cost
};

// What admission leaves for the rest of the request: the reservation to settle, where the
// caller stands against its limits (its rate-limit headers), and headers a refusal carries.
struct AdmissionResult {
  Reservation& reservation;
  RateLimitStatus status;
  std::vector<std::pair<std::string, std::string>> refusal_headers;  // retry-after-ms, x-should-retry
};

class AdmissionStep {
 public:
  virtual ~AdmissionStep() = default;
  // Refuses with an error in the client's terms, or admits (reserving into `result`).
  // What a step reserved before a later step refused is settled with the request.
  virtual boost::asio::awaitable<std::optional<GatewayError>> admit(const AdmissionRequest& request,
                                                                    AdmissionResult& result) const = 0;
  // Whether the step has anything to say about `principal` at all: admission is skipped
  // (no coroutine is started) when no step does, as for the master key.
  virtual bool applies_to(const Principal& principal) const = 0;
};

class Admission {
 public:
  void add(std::shared_ptr<const AdmissionStep> step) { steps_.push_back(std::move(step)); }

  bool applies_to(const Principal& principal) const {
    for (const auto& step : steps_) {
      if (step->applies_to(principal)) return true;
    }
    return false;
  }

  // Runs every step in order; the first refusal ends admission.
  boost::asio::awaitable<std::optional<GatewayError>> admit(const AdmissionRequest& request,
                                                            AdmissionResult& result) const {
    for (const auto& step : steps_) {
      if (!step->applies_to(request.principal)) continue;
      std::optional<GatewayError> refusal = co_await step->admit(request, result);
      if (refusal) co_return refusal;
    }
    co_return std::nullopt;
  }

 private:
  std::vector<std::shared_ptr<const AdmissionStep>> steps_;
};

}  // namespace switchyard::policy
