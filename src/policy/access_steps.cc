#include "policy/access_steps.h"

#include <algorithm>
#include <chrono>

#include "ledger/ledger_row.h"
#include "pricing/model_price.h"
#include "routing/router.h"

namespace switchyard::policy {

namespace {

std::int64_t now_micros() {
  return std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// The key (and its team) the principal stands for, as the table holds them now; null when
// the key went away since authentication.
struct Holder {
  std::shared_ptr<const KeyTable> table;
  const VirtualKey* key = nullptr;
  const Team* team = nullptr;
};

Holder holder_of(const KeyDirectory& keys, const Principal& principal) {
  Holder holder{keys.table()};
  auto entry = holder.table->keys.find(principal.key_id);
  if (entry == holder.table->keys.end()) return holder;
  holder.key = &entry->second->key;
  if (!holder.key->team_id.empty()) {
    auto team = holder.table->teams.find(holder.key->team_id);
    if (team != holder.table->teams.end()) holder.team = team->second.get();
  }
  return holder;
}

GatewayError not_allowed(std::string_view model) {
  return make_error(ErrorKind::permission,
                    "This API key is not allowed to use the model '" + std::string(model) +
                        "'. Ask the gateway's operator to add it to the key's models.",
                    "model_not_allowed", "model");
}

std::string seconds_text(std::chrono::milliseconds wait) {
  return std::to_string((wait.count() + 999) / 1000);
}

std::string rfc3339_seconds(std::int64_t seconds) { return ledger::rfc3339(seconds * 1'000'000); }

std::string what_refused(std::string_view scope) {
  if (scope.size() < 5) return "this key";
  return scope.starts_with("team:") ? "the key's team (" + std::string(scope.substr(5)) + ")"
                                    : "this key (" + std::string(scope.substr(4)) + ")";
}

// The limiter's refusal in the client's terms: a 429 that says when to come back, or, for
// a budget, that retrying will not help before the budget resets.
GatewayError refusal_of(const ReserveAnswer& answer, const ReserveAsk& ask, AdmissionResult& result) {
  const Limits* limits = nullptr;
  for (const ScopeAsk& scope : ask.scopes) {
    if (scope.scope == answer.scope) limits = &scope.limits;
  }
  std::string who = what_refused(answer.scope);
  auto rate_limited = [&](std::string what) {
    GatewayError error = make_error(ErrorKind::rate_limited,
                                    "Rate limit reached for " + who + ": " + what + ". Please try again in " +
                                        std::to_string(answer.retry_after.count()) + "ms.",
                                    "rate_limit_exceeded");
    error.retry_after = seconds_text(answer.retry_after);
    result.refusal_headers.emplace_back("retry-after-ms", std::to_string(answer.retry_after.count()));
    return error;
  };
  switch (answer.denial) {
    case Denial::requests:
      return rate_limited(std::to_string(limits && limits->rpm ? *limits->rpm : 0) + " requests per minute");
    case Denial::tokens: {
      std::int64_t tpm = limits && limits->tpm ? *limits->tpm : 0;
      if (ask.tokens > tpm) {
        GatewayError error = make_error(ErrorKind::rate_limited,
                                        "Request too large for " + who + ": it may use up to " +
                                            std::to_string(ask.tokens) + " tokens (its input and max_tokens) and the "
                                            "limit is " + std::to_string(tpm) + " tokens per minute. Send a smaller "
                                            "request or a lower max_tokens.",
                                        "request_too_large");
        error.permanent = true;
        result.refusal_headers.emplace_back("x-should-retry", "false");
        return error;
      }
      return rate_limited(std::to_string(tpm) + " tokens per minute");
    }
    case Denial::parallel: {
      GatewayError error = rate_limited(std::to_string(limits && limits->max_parallel ? *limits->max_parallel : 0) +
                                        " requests in parallel");
      error.retry_after = "1";
      return error;
    }
    case Denial::budget: {
      std::string budget = limits && limits->budget ? "$" + format_usd(limits->budget->usd) + " per " +
                                                          std::string(budget_period_name(limits->budget->period))
                                                    : std::string("its budget");
      if (limits && limits->budget && limits->budget->period == BudgetPeriod::total) budget = "$" + format_usd(limits->budget->usd) + " in total";
      std::string when = answer.budget_resets_at ? "it resets at " + rfc3339_seconds(*answer.budget_resets_at)
                                                 : std::string("it does not reset");
      GatewayError error = make_error(ErrorKind::rate_limited,
                                      "The budget of " + who + " (" + budget + ") is exhausted, or too little of it "
                                      "is left for this request's worst case; " + when + ".",
                                      "insufficient_quota");
      error.permanent = true;
      result.refusal_headers.emplace_back("x-should-retry", "false");
      return error;
    }
    case Denial::unavailable: {
      GatewayError error = make_error(ErrorKind::unavailable,
                                      "The gateway cannot check this key's limits right now (its limit store is "
                                      "unreachable). Please try again shortly.",
                                      "limits_unavailable");
      error.retry_after = "1";
      return error;
    }
    case Denial::none: break;
  }
  return make_error(ErrorKind::internal, "internal error", "internal_error");
}

// The most the request can cost on any deployment it may be sent to: all of its body as
// input tokens (never fewer tokens than bytes in practice), billed at the dearer of the
// input and cache-write prices, and its output cap. Null when a deployment's price is not
// known: a budget cannot be kept with it.
struct WorstCase {
  Money cost;
  std::string unpriced;  // the first deployment without a known price
};

WorstCase worst_case(const AdmissionRequest& request, std::int64_t output_cap) {
  WorstCase worst;
  routing::Plan plan = request.router.plan(request.model, request.fallback_models);
  auto day = pricing::day_of(std::chrono::system_clock::now());
  auto input = static_cast<std::int64_t>(request.body_size);
  for (const routing::Candidate& candidate : plan.candidates) {
    if (!candidate.price) {
      worst.unpriced = candidate.label;
      return worst;
    }
    for (bool as_cache_write : {false, true}) {
      Usage usage;
      usage.input_tokens = input;
      usage.cache_write_tokens = as_cache_write ? input : 0;
      usage.output_tokens = output_cap;
      std::optional<Money> cost = pricing::cost_of(usage, *candidate.price, day);
      if (!cost && output_cap > 0 && as_cache_write) continue;  // no cache-write price: billed as input
      if (!cost) {
        worst.unpriced = candidate.label;
        return worst;
      }
      worst.cost = std::max(worst.cost, *cost);
    }
  }
  return worst;
}

}  // namespace

boost::asio::awaitable<std::optional<GatewayError>> ModelAccessStep::admit(const AdmissionRequest& request,
                                                                           AdmissionResult&) const {
  if (request.operation == "list_models") co_return std::nullopt;  // the list shows only what it may use
  Holder holder = holder_of(keys_, request.principal);
  if (!holder.key) {
    counters_.unknown_key.fetch_add(1, std::memory_order_relaxed);
    co_return make_error(ErrorKind::authentication, "Incorrect API key provided.", "invalid_api_key");
  }
  auto allowed = [&](std::string_view model) {
    return allows_model(holder.key->models, model) && (!holder.team || allows_model(holder.team->models, model));
  };
  if (!allowed(request.model)) {
    counters_.model_not_allowed.fetch_add(1, std::memory_order_relaxed);
    co_return not_allowed(request.model);
  }
  for (const std::string& fallback : request.fallback_models) {
    if (!allowed(fallback)) {
      counters_.model_not_allowed.fetch_add(1, std::memory_order_relaxed);
      co_return not_allowed(fallback);
    }
  }
  co_return std::nullopt;
}

boost::asio::awaitable<std::optional<GatewayError>> LimitStep::admit(const AdmissionRequest& request,
                                                                     AdmissionResult& result) const {
  if (request.operation == "list_models") co_return std::nullopt;
  Holder holder = holder_of(keys_, request.principal);
  if (!holder.key) co_return std::nullopt;
  ReserveAsk ask;
  if (holder.key->limits.any()) ask.scopes.push_back({"key:" + holder.key->id, holder.key->limits});
  if (holder.team && holder.team->limits.any()) ask.scopes.push_back({"team:" + holder.team->id, holder.team->limits});
  if (ask.scopes.empty()) co_return std::nullopt;

  // Tokens: the input estimated at four bytes a token, and the output cap.
  std::int64_t output_cap = 0;
  if (request.operation == "generate") output_cap = request.max_output_tokens.value_or(settings_.default_max_tokens);
  if (request.operation != "count_tokens") {
    ask.tokens = static_cast<std::int64_t>(request.body_size / 4) + std::max<std::int64_t>(output_cap, 0);
  }
  bool budgeted = std::any_of(ask.scopes.begin(), ask.scopes.end(), [](const ScopeAsk& scope) {
    return scope.limits.budget.has_value();
  });
  if (budgeted && request.operation != "count_tokens") {
    WorstCase worst = worst_case(request, std::max<std::int64_t>(output_cap, 0));
    if (!worst.unpriced.empty()) {
      counters_.unpriced_for_budget.fetch_add(1, std::memory_order_relaxed);
      co_return make_error(ErrorKind::invalid_request,
                           "This key has a budget, and the deployment " + worst.unpriced +
                               " that may serve model '" + std::string(request.model) +
                               "' has no known price, so its cost could not be kept within the budget. Ask the "
                               "gateway's operator to set a price on it.",
                           "unpriced_model", "model");
    }
    ask.cost = worst.cost;
  }
  ask.now_us = now_micros();
  ReserveAnswer answer = co_await limiter_.reserve(ask);
  if (answer.denial != Denial::none) {
    counters_.limited[static_cast<std::size_t>(answer.denial)].fetch_add(1, std::memory_order_relaxed);
    result.status = answer.status;
    co_return refusal_of(answer, ask, result);
  }
  result.reservation = std::move(answer.reservation);
  result.status = answer.status;
  co_return std::nullopt;
}

}  // namespace switchyard::policy
