// One line per request, written when the request settles: who asked for what, where it
// went, how it ended and what it cost in time and tokens. No secrets and no bodies.
#pragma once

#include <cstdint>
#include <string>

#include "core/usage.h"

namespace switchyard::telemetry {

struct AccessRecord {
  std::string request_id;
  std::string method;
  std::string path;  // without the query string (it may carry a key)
  int status = 0;
  std::string dialect;
  std::string model;             // as the client asked
  std::string provider;          // the deployment that served it, if any
  std::string upstream_model;
  int upstream_status = 0;       // 0: no upstream response
  int attempts = 0;
  bool stream = false;
  std::int64_t duration_us = 0;  // request received to response finished
  std::int64_t upstream_us = 0;  // time inside the upstream exchange
  Usage usage;
  std::string error_code;        // the gateway's error code when it failed
  std::string attempt_log;       // each attempt: "provider/model:outcome", comma-separated
};

void write_access_log(const AccessRecord& record);

}  // namespace switchyard::telemetry
