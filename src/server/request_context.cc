#include "server/request_context.h"

#include <charconv>
#include <exception>

namespace switchyard::server {

using std::chrono::duration_cast;
using std::chrono::microseconds;

microseconds RequestContext::overhead(std::optional<Clock::time_point> attempt_started) const {
  auto now = Clock::now();
  auto spent = now - received_at - upstream_time - waited;
  if (attempt_started) spent -= now - *attempt_started;
  return std::max(microseconds(0), duration_cast<microseconds>(spent));
}

void RequestContext::set_routing_headers(http::ResponseChannel& channel, const std::string& deployment,
                                         std::optional<Clock::time_point> attempt_started) const {
  char digits[20];
  channel.set_header("x-switchyard-deployment", deployment);
  channel.set_header("x-switchyard-attempts",
                     {digits, std::to_chars(digits, digits + sizeof digits, outcome.attempts).ptr});
  auto overhead_us = overhead(attempt_started).count();
  channel.set_header("x-switchyard-overhead-us",
                     {digits, std::to_chars(digits, digits + sizeof digits, overhead_us).ptr});
}

void RequestContext::stream_started(std::int64_t input_estimate) {
  if (stream_estimate.started) return;
  stream_estimate.started = true;
  stream_estimate.input_tokens = input_estimate;
  request_gauges().open_streams.fetch_add(1, std::memory_order_relaxed);
}

void RequestContext::record_error(const GatewayError& error) {
  outcome.status = error.status;
  outcome.error_kind = error.kind;
  outcome.error_code = error.code;
  // Refused outright (a 4xx before any upstream was tried), or failed trying.
  outcome.ending = outcome.attempts == 0 && error.status < 500 ? Ending::rejected : Ending::failed;
}

void RequestContext::client_closed() {
  outcome.ending = Ending::client_closed;
  outcome.error_kind = ErrorKind::cancelled;
  outcome.error_code = "client_closed";
}

std::string RequestContext::attempt_traceparent(std::string_view label) {
  const TraceContext& trace = outcome.trace;
  if (!trace.sampled) return trace.incoming;
  AttemptSpan& span = outcome.attempt_spans.emplace_back();
  span.span_id = new_span_id();
  span.label = std::string(label);
  span.start = std::chrono::system_clock::now();
  return format_traceparent(trace.trace_id, span.span_id, true);
}

void RequestContext::log_attempt(std::string_view label, std::string_view result) {
  // The latest open span of this deployment is the attempt that ended (a hedge may have two open).
  for (auto span = outcome.attempt_spans.rbegin(); span != outcome.attempt_spans.rend(); ++span) {
    if (span->ended || span->label != label) continue;
    span->ended = true;
    span->result = std::string(result);
    span->end = std::chrono::system_clock::now();
    break;
  }
  std::string& log = outcome.attempt_log;
  if (!log.empty()) log += ',';
  log += label;
  log += ':';
  log += result;
}

SettleGuard::~SettleGuard() {
  Outcome& outcome = context_.outcome;
  auto now = RequestContext::Clock::now();
  // Left before the pipeline finished: an exception (a bug) is unwinding through it, or
  // the process is stopping under it and destroys its coroutine.
  if (!context_.finished && std::uncaught_exceptions() > 0) {
    outcome.ending = Ending::failed;
    outcome.error_kind = ErrorKind::internal;
    outcome.error_code = "internal_error";
  } else if (!context_.finished) {
    outcome.ending = Ending::shutdown;
    if (outcome.error_code.empty()) outcome.error_code = "shutdown";
  }
  outcome.timings.total = duration_cast<microseconds>(now - context_.received_at);
  outcome.timings.upstream = duration_cast<microseconds>(context_.upstream_time);
  outcome.timings.overhead = std::max(microseconds(0), outcome.timings.total - outcome.timings.upstream -
                                                           duration_cast<microseconds>(context_.waited));
  if (context_.first_token_at) {
    outcome.timings.time_to_first_token = duration_cast<microseconds>(*context_.first_token_at - context_.received_at);
  }
  // A stream cut before its usage came (the client left, the upstream reset, the process
  // stopped) was still billed: the estimate of what was relayed stands in, marked as such.
  if (context_.stream_estimate.started && !outcome.usage.reported) {
    outcome.usage.input_tokens = context_.stream_estimate.input_tokens;
    outcome.usage.output_tokens = context_.stream_estimate.output_tokens;
    outcome.usage.estimated = true;
  }
  if (outcome.usage.input_tokens == 0 && outcome.usage.output_tokens == 0) {
    outcome.cost = Money{0};
  } else if (context_.price) {
    outcome.cost = pricing::cost_of(outcome.usage, *context_.price, pricing::day_of(outcome.started_at));
  }
  request_gauges().in_flight.fetch_sub(1, std::memory_order_relaxed);
  if (context_.stream_estimate.started) request_gauges().open_streams.fetch_sub(1, std::memory_order_relaxed);
  sinks_.settle(outcome);
}

}  // namespace switchyard::server
