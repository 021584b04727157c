// W3C Trace Context: the `traceparent` a client sends ("00-<trace id>-<parent span id>-<flags>")
// and the one the gateway sends upstream, and the span ids of a request and its attempts.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace switchyard {

struct TraceContext {
  std::string trace_id;        // 32 lowercase hex; empty: the request is not traced
  std::string parent_span_id;  // the client's span (16 hex); empty: the request's span is a root
  std::string span_id;         // the request's own span
  bool sampled = false;        // its spans are exported
  std::string incoming;        // the client's traceparent as sent, passed on upstream when not traced here
};

// One upstream attempt's span: started when its call is prepared, ended when its result is known.
struct AttemptSpan {
  std::string span_id;
  std::string label;   // "provider/model"
  std::string result;  // the HTTP status, or the failure's code
  std::chrono::system_clock::time_point start;
  std::chrono::system_clock::time_point end;
  bool ended = false;
};

struct TraceParent {
  std::string trace_id;
  std::string span_id;
  bool sampled = false;
};

// A version-00 traceparent; nullopt for anything else (all-zero ids, wrong lengths, upper case).
std::optional<TraceParent> parse_traceparent(std::string_view text);
std::string format_traceparent(std::string_view trace_id, std::string_view span_id, bool sampled);

std::string new_trace_id();  // 16 random bytes, hex
std::string new_span_id();   // 8 random bytes, hex

}  // namespace switchyard
