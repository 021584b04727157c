// OpenTelemetry traces over OTLP/HTTP: for every sampled request, a SERVER span with the GenAI
// attributes (gen_ai.request.model, gen_ai.usage.input_tokens, ...) and a CLIENT span per
// upstream attempt under it. The sink only formats the spans and queues them (bounded: a full
// queue drops and counts); a thread of its own posts them in batches as OTLP JSON to
// {endpoint}/v1/traces, each post bounded by a timeout. A dead collector costs the requests
// nothing: its failures are counted.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "core/outcome.h"

namespace switchyard::telemetry {

struct OtlpSettings {
  std::string endpoint;  // http://host:port[/base]
  std::vector<std::pair<std::string, std::string>> headers;
  std::string service_version;
  std::chrono::milliseconds timeout{2000};      // per export
  std::chrono::milliseconds flush_interval{500};
  std::size_t batch_spans = 512;
  std::size_t queue_capacity = 16384;  // spans waiting; past it new ones are dropped (and counted)
};

struct OtlpCounters {
  std::atomic<std::uint64_t> spans_exported{0};
  std::atomic<std::uint64_t> spans_dropped{0};    // queue full, or their export failed
  std::atomic<std::uint64_t> export_failures{0};  // posts the collector did not accept (or never got)
};

class OtlpExporter final : public OutcomeSink {
 public:
  explicit OtlpExporter(OtlpSettings settings);
  ~OtlpExporter() override;
  OtlpExporter(const OtlpExporter&) = delete;
  OtlpExporter& operator=(const OtlpExporter&) = delete;

  void on_outcome(const Outcome& outcome) noexcept override;
  // Exports what is queued (one last try) and stops the thread.
  void close();
  const OtlpCounters& counters() const { return counters_; }

 private:
  void run();
  bool post(const std::string& body);

  OtlpSettings settings_;
  std::string host_, port_, target_;
  OtlpCounters counters_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::vector<std::string> queue_;  // spans, each a JSON object
  bool closing_ = false;
  std::thread thread_;
};

// The spans of one settled, sampled request, each an OTLP JSON span object.
std::vector<std::string> spans_of(const Outcome& outcome);

}  // namespace switchyard::telemetry
