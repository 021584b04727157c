// Request metrics: outcomes recorded on several threads add up in one exposition, and label
// values come from the configuration, never from what a client named.
#include "telemetry/request_metrics.h"

#include <gtest/gtest.h>

#include <thread>

namespace switchyard::telemetry {
namespace {

Outcome answered(std::string model, bool alias, std::string provider, std::string upstream_model, bool configured) {
  Outcome outcome;
  outcome.operation = "generate";
  outcome.model = std::move(model);
  outcome.model_is_alias = alias;
  outcome.provider = std::move(provider);
  outcome.upstream_model = std::move(upstream_model);
  outcome.deployment_configured = configured;
  outcome.provider_system = "openai";
  outcome.status = 200;
  outcome.attempts = 1;
  outcome.usage = Usage{10, 5, 2, 0, 1, true};
  outcome.cost = Money{1'500};
  outcome.timings.total = std::chrono::microseconds(30'000);
  return outcome;
}

std::string exposition(const RequestMetrics& metrics) {
  std::string out;
  metrics.append_exposition(out);
  return out;
}

TEST(RequestMetrics, ThreadsRecordIntoTheirOwnShardsAndTheScrapeAddsThemUp) {
  RequestMetrics metrics;
  auto record = [&] {
    for (int i = 0; i < 1000; ++i) metrics.on_outcome(answered("fast", true, "oai", "gpt-4o", true));
  };
  std::thread a(record), b(record);
  a.join();
  b.join();
  record();
  std::string text = exposition(metrics);
  EXPECT_NE(text.find("switchyard_requests_total{operation=\"generate\",model=\"fast\",provider=\"oai\",status_class=\"2xx\"} 3000\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("switchyard_tokens_total{model=\"fast\",provider=\"oai\",type=\"cache_read\"} 6000\n"), std::string::npos);
  EXPECT_NE(text.find("switchyard_cost_usd_total{model=\"fast\",provider=\"oai\"} 0.000004500000\n"), std::string::npos);
  EXPECT_NE(text.find("switchyard_request_duration_seconds_bucket{operation=\"generate\",model=\"fast\",provider=\"oai\",le=\"0.025\"} 0\n"),
            std::string::npos);
  EXPECT_NE(text.find("switchyard_request_duration_seconds_bucket{operation=\"generate\",model=\"fast\",provider=\"oai\",le=\"0.05\"} 3000\n"),
            std::string::npos);
  EXPECT_NE(text.find("gen_ai_client_token_usage_sum{gen_ai_operation_name=\"chat\",gen_ai_provider_name=\"openai\","
                      "gen_ai_request_model=\"fast\",gen_ai_response_model=\"gpt-4o\",gen_ai_token_type=\"input\"} 30000\n"),
            std::string::npos);
}

TEST(RequestMetrics, ClientNamedModelsNeverBecomeLabelValues) {
  RequestMetrics metrics;
  metrics.on_outcome(answered("oai/secret-model-1", false, "oai", "secret-model-1", false));
  metrics.on_outcome(answered("oai/secret-model-2", false, "oai", "secret-model-2", false));
  Outcome unknown;
  unknown.operation = "generate";
  unknown.model = "no-such-model\"\n";
  unknown.status = 404;
  metrics.on_outcome(unknown);
  std::string text = exposition(metrics);
  EXPECT_EQ(text.find("secret-model"), std::string::npos) << text;
  EXPECT_EQ(text.find("no-such-model"), std::string::npos);
  EXPECT_NE(text.find("model=\"oai/*\",provider=\"oai\",status_class=\"2xx\"} 2\n"), std::string::npos) << text;
  EXPECT_NE(text.find("model=\"unknown\",provider=\"none\",status_class=\"4xx\"} 1\n"), std::string::npos);
  EXPECT_NE(text.find("gen_ai_response_model=\"other\""), std::string::npos);
}

TEST(RequestMetrics, UnpricedRequestsAndFailedAttemptsAreCounted) {
  RequestMetrics metrics;
  Outcome outcome = answered("fast", true, "oai", "gpt-4o", true);
  outcome.cost.reset();
  outcome.attempts = 3;
  outcome.attempt_log = "oai/gpt-4o:503,backup/gpt-4o:connect_timeout,oai/gpt-4o:200";
  metrics.on_outcome(outcome);
  std::string text = exposition(metrics);
  EXPECT_NE(text.find("switchyard_unpriced_requests_total{model=\"fast\",provider=\"oai\"} 1\n"), std::string::npos) << text;
  EXPECT_NE(text.find("switchyard_upstream_failures_total{provider=\"oai\",kind=\"http_503\"} 1\n"), std::string::npos);
  EXPECT_NE(text.find("switchyard_upstream_failures_total{provider=\"backup\",kind=\"transport\"} 1\n"), std::string::npos);
  EXPECT_NE(text.find("switchyard_retries_total{model=\"fast\",provider=\"oai\"} 2\n"), std::string::npos);
}

}  // namespace
}  // namespace switchyard::telemetry
