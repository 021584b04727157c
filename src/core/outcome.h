// The one record of how a request ended, written by the settle phase exactly once per
// request, whatever happened to it, and handed to every sink (the access log today; the
// usage ledger, metrics and limit settlement next). Sinks take it by reference and copy
// what they keep.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"
#include "core/money.h"
#include "core/principal.h"
#include "core/reservation.h"
#include "core/trace_context.h"
#include "core/usage.h"

namespace switchyard {

// How a request ended, in the terms of what the caller got.
enum class Ending {
  answered,       // a complete successful answer went out
  rejected,       // refused before any upstream was tried: bad request, no key, unknown model
  failed,         // answered with an error after trying upstreams (theirs, relayed, or the gateway's),
                  // or because none could be tried (all cooling down)
  stream_failed,  // the stream had started when the upstream failed: it ended with an error event
  client_closed,  // the client went away before the answer was complete
  shutdown,       // the process stopped before the request finished
};

std::string_view ending_name(Ending ending);

struct Outcome {
  std::string request_id;
  std::chrono::system_clock::time_point started_at;  // when it was received, by the wall clock
  std::string method;
  std::string path;       // without the query string (it may carry a key)
  std::string_view operation;  // "generate", "embed", "count_tokens", "list_models", ... (static)
  std::string dialect;    // the client's
  Principal principal;
  std::string model;      // as the client asked
  bool model_is_alias = false;  // `model` is a configured alias (else a PROVIDER/MODEL or unknown name)
  std::string user;       // the client's own tag for its end user (`user`, `metadata.user_id`), if any
  bool stream = false;
  bool health_probe = false;  // /healthz, /readyz, /metrics: left out of the access log

  // The deployment that served it (or the last one tried), and how the attempts went.
  std::string provider;
  std::string upstream_model;
  bool deployment_configured = false;  // the served deployment is in the configuration (not client-named)
  std::string_view provider_system;    // the provider's GenAI system name ("openai", "anthropic", ...)
  int upstream_status = 0;  // 0: no upstream response
  int attempts = 0;
  bool hedged = false;      // a backup attempt raced the first (hedging)
  std::string attempt_log;  // "provider/model:outcome,...", each attempt in order
  TraceContext trace;
  std::vector<AttemptSpan> attempt_spans;  // only when the request is traced

  int status = 0;  // sent to the client (0: nothing was sent)
  Ending ending = Ending::answered;
  std::optional<ErrorKind> error_kind;
  std::string error_code;  // the gateway's or the upstream's error code, when it failed
  Usage usage;
  // What the upstream bills for `usage`, exactly: zero when no tokens were used, nullopt
  // when tokens were used at a price nobody knows (never guessed as zero).
  std::optional<Money> cost;
  Reservation reservation;

  struct Timings {
    std::chrono::microseconds total{0};                         // received to settled
    std::optional<std::chrono::microseconds> time_to_first_token;  // received to the first content
    std::chrono::microseconds upstream{0};                      // inside upstream exchanges
    std::chrono::microseconds overhead{0};                      // the gateway's own: total less upstream and backoff
  } timings;
};

// Something that wants to know how requests ended. on_outcome runs on the request's thread
// as it settles: it must only record or enqueue (never block, never wait on I/O) and must
// not throw.
class OutcomeSink {
 public:
  virtual ~OutcomeSink() = default;
  virtual void on_outcome(const Outcome& outcome) noexcept = 0;
};

}  // namespace switchyard
