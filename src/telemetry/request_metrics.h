// The Prometheus metrics of the requests the gateway served: an outcome sink that records
// each settled request into its thread's own shard (plain stores to counters only that
// thread writes: no lock, no contended cache line), and the exposition that adds the
// shards up when /metrics is scraped.
//
// Label values are bounded by the configuration, never taken from a client: a model is its
// alias when the client named one, else PROVIDER/* (a client-named PROVIDER/MODEL), else
// "unknown"; a response model is the configured deployment's, else "other"; a provider is
// a configured provider's name. Names and labels follow Prometheus conventions and, where
// OpenTelemetry's GenAI semantic conventions define a metric, its name and attributes.
#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "core/outcome.h"

namespace switchyard::telemetry {

class RequestMetrics final : public OutcomeSink {
 public:
  RequestMetrics();
  ~RequestMetrics() override;
  RequestMetrics(const RequestMetrics&) = delete;
  RequestMetrics& operator=(const RequestMetrics&) = delete;

  void on_outcome(const Outcome& outcome) noexcept override;

  // Appends every family, in the text exposition format.
  void append_exposition(std::string& out) const;

  struct Shard;

 private:
  Shard& my_shard();

  const std::uint64_t id_;            // tells this sink's thread-local shards from another's
  mutable std::mutex shards_mutex_;  // guards the list; each shard guards its own maps
  std::vector<std::unique_ptr<Shard>> shards_;
};

}  // namespace switchyard::telemetry
