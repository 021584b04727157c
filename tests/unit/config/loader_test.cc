#include "config/loader.h"

#include <gtest/gtest.h>

#include <map>

namespace switchyard::config {
namespace {

EnvLookup fake_env(std::map<std::string, std::string> values) {
  return [values = std::move(values)](std::string_view name) -> std::optional<std::string> {
    auto found = values.find(std::string(name));
    if (found == values.end()) return std::nullopt;
    return found->second;
  };
}

LoadResult load(std::string_view text, std::map<std::string, std::string> env = {}) {
  return load_config_text(text, "gw.yaml", fake_env(std::move(env)));
}

// Passes when some error reads exactly "gw.yaml:LINE: ..." and contains `fragment`.
::testing::AssertionResult has_error(const LoadResult& result, int line, std::string_view fragment) {
  std::string prefix = "gw.yaml:" + std::to_string(line) + ": ";
  for (const auto& error : result.errors) {
    if (error.starts_with(prefix) && error.find(fragment) != std::string::npos) return ::testing::AssertionSuccess();
  }
  std::string all;
  for (const auto& error : result.errors) all += "\n  " + error;
  return ::testing::AssertionFailure() << "no error at line " << line << " containing '" << fragment << "' in:" << all;
}

constexpr std::string_view kIssueExample = R"(server: {listen: 127.0.0.1:4000}
auth: {master_key: ${SWITCHYARD_MASTER_KEY}}
providers:
  oai: {type: openai, base_url: https://api.openai.com/v1, api_key: ${OPENAI_API_KEY}}
models:
  fast:
    deployments:
      - {provider: oai, model: gpt-4o-mini}
)";

TEST(ConfigLoader, CompilesTheDocumentedExample) {
  auto result = load(kIssueExample, {{"SWITCHYARD_MASTER_KEY", "sk-master"}, {"OPENAI_API_KEY", "sk-openai"}});
  ASSERT_TRUE(result.snapshot) << (result.errors.empty() ? "" : result.errors[0]);
  const Snapshot& s = *result.snapshot;
  EXPECT_EQ(s.server.listen.host, "127.0.0.1");
  EXPECT_EQ(s.server.listen.port, 4000);
  EXPECT_EQ(s.master_key, "sk-master");
  ASSERT_EQ(s.providers.size(), 1u);
  EXPECT_EQ(s.providers[0].name, "oai");
  EXPECT_EQ(s.providers[0].type, "openai");
  EXPECT_EQ(s.providers[0].api_key, "sk-openai");
  ASSERT_EQ(s.models.size(), 1u);
  EXPECT_EQ(s.models[0].name, "fast");
  ASSERT_EQ(s.models[0].deployments.size(), 1u);
  EXPECT_EQ(s.models[0].deployments[0].provider, "oai");
  EXPECT_EQ(s.models[0].deployments[0].model, "gpt-4o-mini");
}

TEST(ConfigLoader, ReportsAMissingEnvironmentVariableWithItsLine) {
  auto result = load(kIssueExample, {{"SWITCHYARD_MASTER_KEY", "sk-master"}});
  EXPECT_FALSE(result.snapshot);
  EXPECT_TRUE(has_error(result, 4, "OPENAI_API_KEY is not set"));
}

TEST(ConfigLoader, EnvironmentDefaultsAndEmbeddedReferences) {
  auto result = load(R"(auth: {master_key: "${KEY:-}"}
providers:
  local: {type: openai, base_url: "http://${HOST:-127.0.0.1}:11434/v1"}
)");
  ASSERT_TRUE(result.snapshot) << result.errors[0];
  EXPECT_EQ(result.snapshot->master_key, "");
  EXPECT_EQ(result.snapshot->providers[0].base_url, "http://127.0.0.1:11434/v1");
}

TEST(ConfigLoader, RejectsUnknownKeysWithLineAndHint) {
  auto result = load(R"(server:
  listen: 127.0.0.1:0
providers:
  up:
    type: openai
    bse_url: http://127.0.0.1:9/v1
)");
  EXPECT_FALSE(result.snapshot);
  EXPECT_TRUE(has_error(result, 6, "unknown key 'bse_url' in providers.up (did you mean 'base_url'?)"));
}

TEST(ConfigLoader, RejectsUnknownTopLevelSections) {
  auto result = load("providers:\n  m: {type: mock}\nrouting: {}\n");
  EXPECT_TRUE(has_error(result, 3, "unknown key 'routing'"));
}

TEST(ConfigLoader, RejectsADeploymentOfAnUnknownProvider) {
  auto result = load(R"(providers:
  oai: {type: openai}
models:
  fast:
    deployments:
      - provider: oia
        model: gpt-4o
)");
  EXPECT_FALSE(result.snapshot);
  EXPECT_TRUE(has_error(result, 6, "unknown provider 'oia' (defined: oai)"));
}

TEST(ConfigLoader, ADeploymentMayBeReachedThroughTheResponsesApiOfAnOpenAIProvider) {
  auto result = load(R"(providers:
  oai: {type: openai}
  ant: {type: anthropic}
models:
  new:
    deployments:
      - {provider: oai, model: gpt-5-pro, api: responses}
      - {provider: oai, model: gpt-4.1, api: chat}
  wrong:
    deployments:
      - {provider: ant, model: claude, api: responses}
      - {provider: oai, model: gpt-4.1, api: completions}
)");
  EXPECT_FALSE(result.snapshot);
  EXPECT_TRUE(has_error(result, 11, "providers of type anthropic do not offer the responses API"));
  EXPECT_TRUE(has_error(result, 12, "api must be chat or responses"));
  EXPECT_EQ(result.errors.size(), 2u);

  auto good = load("providers:\n  oai: {type: openai}\nmodels:\n  new:\n    deployments:\n"
                   "      - {provider: oai, model: gpt-5-pro, api: responses}\n      - {provider: oai, model: gpt-4.1}\n");
  ASSERT_TRUE(good.snapshot) << (good.errors.empty() ? "" : good.errors[0]);
  EXPECT_EQ(good.snapshot->models[0].deployments[0].api, Dialect::openai_responses);
  EXPECT_FALSE(good.snapshot->models[0].deployments[1].api);
}

TEST(ConfigLoader, ReadsADeploymentsPriceAsExactDecimals) {
  auto good = load(R"(providers:
  oai: {type: openai}
models:
  m:
    deployments:
      - {provider: oai, model: tuned, price: {input: 2.50, output: 10.00, cache_read: 1.25, cache_write: 3.75}}
      - {provider: oai, model: other, price: {input: "0.000001", output: 0}}
)");
  ASSERT_TRUE(good.snapshot) << (good.errors.empty() ? "" : good.errors[0]);
  const auto& tuned = good.snapshot->models[0].deployments[0].price;
  ASSERT_TRUE(tuned);
  auto day = pricing::day_of(std::chrono::system_clock::now());
  auto prices = tuned->for_request(day, 1);
  ASSERT_TRUE(prices);
  EXPECT_EQ(prices->input, 2'500'000);
  EXPECT_EQ(prices->output, 10'000'000);
  EXPECT_EQ(prices->cache_read, 1'250'000);
  EXPECT_EQ(prices->cache_write, 3'750'000);
  auto other = good.snapshot->models[0].deployments[1].price->for_request(day, 1);
  EXPECT_EQ(other->input, 1);
  EXPECT_EQ(other->cache_read, 1);  // unpriced cache tokens bill as input

  auto bad = load(R"(providers:
  oai: {type: openai}
models:
  m:
    deployments:
      - {provider: oai, model: a, price: {input: 2.5}}
      - {provider: oai, model: b, price: {input: 1e-6, output: -1}}
      - {provider: oai, model: c, price: {input: 0.1234567, output: 1, cache: 1}}
      - {provider: oai, model: d, price: 3}
)");
  EXPECT_FALSE(bad.snapshot);
  EXPECT_TRUE(has_error(bad, 6, "price: missing 'output'"));
  EXPECT_TRUE(has_error(bad, 7, "price.input must be a plain decimal number"));
  EXPECT_TRUE(has_error(bad, 7, "price.output must be a plain decimal number"));
  EXPECT_TRUE(has_error(bad, 8, "price.input must be a plain decimal number"));
  EXPECT_TRUE(has_error(bad, 8, "unknown key 'cache'"));
  EXPECT_TRUE(has_error(bad, 9, "price must be a mapping"));
}

TEST(ConfigLoader, TheLedgerGoesToPostgresOnlyByAPostgresUrl) {
  auto good = load("providers:\n  oai: {type: openai}\nstorage:\n  database: postgres://u:p@127.0.0.1:5432/db\n  ledger: true\n");
  ASSERT_TRUE(good.snapshot) << (good.errors.empty() ? "" : good.errors[0]);
  EXPECT_EQ(good.snapshot->storage.database, "postgres://u:p@127.0.0.1:5432/db");
  auto bad = load("storage:\n  database: mysql://x\n  ledger: maybe\n");
  EXPECT_FALSE(bad.snapshot);
  EXPECT_TRUE(has_error(bad, 2, "storage.database must be a postgres:// URL"));
  EXPECT_TRUE(has_error(bad, 3, "storage.ledger must be true or false"));
}

TEST(ConfigLoader, ReadsTheOtlpExporterSettings) {
  auto good = load("providers:\n  oai: {type: openai}\ntelemetry:\n  otlp:\n    endpoint: http://127.0.0.1:4318\n"
                   "    headers: {Authorization: Bearer t}\n    sample_ratio: 0.25\n");
  ASSERT_TRUE(good.snapshot) << (good.errors.empty() ? "" : good.errors[0]);
  ASSERT_TRUE(good.snapshot->telemetry.otlp);
  EXPECT_EQ(good.snapshot->telemetry.otlp->endpoint, "http://127.0.0.1:4318");
  EXPECT_EQ(good.snapshot->telemetry.otlp->sample_ratio, 0.25);
  EXPECT_EQ(good.snapshot->telemetry.otlp->headers.at(0).first, "authorization");
  auto bad = load("providers:\n  oai: {type: openai}\ntelemetry:\n  otlp:\n    endpoint: grpc://x:4317\n    sample_ratio: 2\n");
  EXPECT_FALSE(bad.snapshot);
  EXPECT_TRUE(has_error(bad, 5, "telemetry.otlp.endpoint must be an http:// URL"));
  EXPECT_TRUE(has_error(bad, 6, "telemetry.otlp.sample_ratio must be a number from 0 to 1"));
}

TEST(ConfigLoader, RejectsBadUrls) {
  auto result = load(R"(providers:
  a: {type: openai, base_url: not a url}
  b: {type: openai, base_url: "ftp://example.com"}
)");
  EXPECT_FALSE(result.snapshot);
  EXPECT_TRUE(has_error(result, 2, "providers.a.base_url: 'not a url' is not a valid URL"));
  EXPECT_TRUE(has_error(result, 3, "scheme must be http or https"));
}

TEST(ConfigLoader, RejectsUnknownProviderTypesListingTheKnownOnes) {
  auto result = load("providers:\n  x: {type: opnai}\n");
  EXPECT_TRUE(has_error(result, 2, "unknown provider type 'opnai' (one of: openai, azure-openai, anthropic, gemini, mock)"));
}

TEST(ConfigLoader, RejectsBadValues) {
  auto result = load(R"(server:
  listen: 127.0.0.1
  max_body_size: lots
  idle_timeout: 5 parsecs
timeouts: {connect: 0s}
providers:
  m: {type: mock}
models:
  empty: {deployments: []}
)");
  EXPECT_FALSE(result.snapshot);
  EXPECT_TRUE(has_error(result, 2, "server.listen"));
  EXPECT_TRUE(has_error(result, 3, "server.max_body_size"));
  EXPECT_TRUE(has_error(result, 4, "server.idle_timeout"));
  EXPECT_TRUE(has_error(result, 5, "timeouts.connect"));
  EXPECT_TRUE(has_error(result, 9, "deployments must be a non-empty list"));
}

TEST(ConfigLoader, ReportsYamlSyntaxErrorsWithTheirLine) {
  auto result = load("providers:\n  m: {type: mock\n");
  EXPECT_FALSE(result.snapshot);
  ASSERT_EQ(result.errors.size(), 1u);
  EXPECT_NE(result.errors[0].find("invalid YAML"), std::string::npos);
}

TEST(ConfigLoader, RefusesToExposeAGatewayWithoutAMasterKey) {
  auto open = load("server: {listen: 0.0.0.0:4000}\nproviders:\n  m: {type: mock}\n");
  EXPECT_FALSE(open.snapshot);
  EXPECT_TRUE(has_error(open, 1, "without auth.master_key"));
  auto guarded = load("server: {listen: 0.0.0.0:4000}\nauth: {master_key: k}\nproviders:\n  m: {type: mock}\n");
  EXPECT_TRUE(guarded.snapshot);
}

TEST(ConfigLoader, ReadsServerAndTimeoutSettings) {
  auto result = load(R"(server:
  listen: "[::1]:8080"
  threads: 3
  max_body_size: 1MiB
  header_timeout: 5s
  idle_timeout: 2m
  shutdown_timeout: 500ms
timeouts: {connect: 2s, first_byte: 30s, total: 10m}
providers:
  up:
    type: openai
    base_url: http://127.0.0.1:8000/v1
    headers: {X-Title: switchyard}
    timeouts: {first_byte: 5s}
)");
  ASSERT_TRUE(result.snapshot) << result.errors[0];
  const Snapshot& s = *result.snapshot;
  EXPECT_EQ(s.server.listen.host, "::1");
  EXPECT_EQ(s.server.threads, 3u);
  EXPECT_EQ(s.server.max_body_size, 1024u * 1024);
  EXPECT_EQ(s.server.idle_timeout, std::chrono::minutes(2));
  EXPECT_EQ(s.server.shutdown_timeout, std::chrono::milliseconds(500));
  EXPECT_EQ(s.timeouts.total, std::chrono::minutes(10));
  ASSERT_TRUE(s.providers[0].timeouts);
  EXPECT_EQ(s.providers[0].timeouts->first_byte, std::chrono::seconds(5));
  EXPECT_EQ(s.providers[0].timeouts->connect, std::chrono::seconds(2));  // inherited
  ASSERT_EQ(s.providers[0].headers.size(), 1u);
  EXPECT_EQ(s.providers[0].headers[0].first, "x-title");
}

TEST(ConfigLoader, RejectsHeadersTheGatewayOwns) {
  auto result = load("providers:\n  up:\n    type: openai\n    headers: {Host: evil}\n");
  EXPECT_TRUE(has_error(result, 4, "'Host' is set by the gateway"));
}

TEST(ConfigLoader, EmbeddedDefaultHasTheMockAndEveryKeyedProvider) {
  Snapshot bare = embedded_default(fake_env({}));
  ASSERT_EQ(bare.providers.size(), 1u);
  EXPECT_EQ(bare.providers[0].type, "mock");
  EXPECT_EQ(bare.models[0].name, "mock");
  EXPECT_EQ(bare.server.listen.host, "127.0.0.1");
  EXPECT_EQ(bare.server.listen.port, 4000);

  Snapshot keyed = embedded_default(fake_env({{"OPENAI_API_KEY", "a"}, {"GEMINI_API_KEY", "g"}}));
  ASSERT_EQ(keyed.providers.size(), 3u);
  EXPECT_EQ(keyed.providers[1].name, "openai");
  EXPECT_EQ(keyed.providers[1].api_key, "a");
  EXPECT_EQ(keyed.providers[2].name, "gemini");
}

}  // namespace
}  // namespace switchyard::config

namespace switchyard::config {
namespace {

TEST(ConfigLoader, ReadsKeysWithTheirSecretsFromTheEnvironmentAndNeverKeepsThem) {
  auto result = load(R"(providers:
  oai: {type: openai}
models:
  fast: {deployments: [{provider: oai, model: gpt-4o-mini}]}
keys:
  - name: ci-bot
    key: ${CI_KEY}
    models: [fast, oai/*]
    rpm: 60
    budget: {usd: "2.50", period: week}
limits: {default_max_tokens: 1024, on_redis_failure: fail_open, lease_ttl: 10s}
storage: {redis: "redis://:pw@127.0.0.1:6380/2"}
)",
                     {{"CI_KEY", "sk-ci-secret-0123456789abcdef"}});
  ASSERT_TRUE(result.snapshot) << (result.errors.empty() ? "" : result.errors[0]);
  const Snapshot& s = *result.snapshot;
  ASSERT_EQ(s.keys.size(), 1u);
  const policy::VirtualKey& key = s.keys[0];
  EXPECT_EQ(key.id, "cfg-ci-bot");
  EXPECT_TRUE(key.from_config);
  EXPECT_EQ(key.key_prefix, "sk-ci-secr");
  ASSERT_EQ(key.secrets.size(), 1u);
  EXPECT_EQ(key.secrets[0].sha256.size(), 32u);
  EXPECT_EQ(key.models, (std::vector<std::string>{"fast", "oai/*"}));
  EXPECT_EQ(key.limits.rpm, 60);
  ASSERT_TRUE(key.limits.budget);
  EXPECT_EQ(key.limits.budget->usd.pico, 2'500'000'000'000);
  EXPECT_EQ(key.limits.budget->period, policy::BudgetPeriod::week);
  EXPECT_EQ(s.limits.default_max_tokens, 1024);
  EXPECT_TRUE(s.limits.fail_open);
  EXPECT_EQ(s.limits.lease_ttl, std::chrono::seconds(10));
  EXPECT_EQ(s.storage.redis, "redis://:pw@127.0.0.1:6380/2");
}

TEST(ConfigLoader, NamesEveryProblemOfAKey) {
  auto result = load(R"(providers:
  oai: {type: openai}
keys:
  - name: "bad name"
    key: short
    rpm: 0
    budget: {usd: lots, period: year}
  - {key: sk-another-long-enough-key}
limits: {on_redis_failure: maybe}
storage: {redis: "http://127.0.0.1"}
)");
  EXPECT_FALSE(result.snapshot);
  EXPECT_TRUE(has_error(result, 4, "must be letters, digits"));
  EXPECT_TRUE(has_error(result, 5, "at least 20 characters"));
  EXPECT_TRUE(has_error(result, 6, "keys[0].rpm must be at least 1"));
  EXPECT_TRUE(has_error(result, 7, "keys[0].budget.usd must be US dollars"));
  EXPECT_TRUE(has_error(result, 8, "keys[1].name is required"));
  EXPECT_TRUE(has_error(result, 9, "limits.on_redis_failure must be fail_closed or fail_open"));
  EXPECT_TRUE(has_error(result, 10, "storage.redis must be a redis:// URL"));
}

}  // namespace
}  // namespace switchyard::config
