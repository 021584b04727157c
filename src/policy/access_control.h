// Everything the request path needs of virtual keys, built once at start and kept for the
// process's life (keys and counters outlive configuration reloads): the key directory, the
// limiter behind limits and budgets, the admission steps that use them, and their counters.
#pragma once

#include "policy/access_steps.h"
#include "policy/admission.h"
#include "policy/key_directory.h"
#include "policy/limiter.h"

namespace switchyard::policy {

struct RedisLimiterCounters;

struct AccessControl {
  KeyDirectory& keys;
  Limiter& limiter;
  AccessCounters counters;
  Admission admission;
  LimitSettings settings;
  const RedisLimiterCounters* redis = nullptr;  // when limits are shared through Redis

  AccessControl(KeyDirectory& directory, Limiter& shared_limiter, LimitSettings limit_settings)
      : keys(directory), limiter(shared_limiter), settings(limit_settings) {
    admission.add(std::make_shared<ModelAccessStep>(keys, counters));
    admission.add(std::make_shared<LimitStep>(keys, limiter, counters, settings));
  }
};

}  // namespace switchyard::policy
