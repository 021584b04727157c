// GET /admin/config shows the configuration in force: everything but the secrets.
#include "config/render.h"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

#include "config/loader.h"

namespace switchyard::config {
namespace {

constexpr std::string_view kConfig = R"(
server: {listen: 127.0.0.1:0, header_timeout: 2500ms}
auth: {master_key: sk-master-secret}
storage: {database: "postgres://ledger:pg-password-secret@db.internal:5432/switchyard"}
timeouts: {first_token: 90s}
providers:
  oai: {type: openai, api_key: sk-provider-secret, headers: {X-Title: my-app, Authorization-Extra: tok-header-secret}}
  pool: {type: openai, base_url: "http://127.0.0.1:9/v1", api_keys: [sk-one-secret, sk-two-secret]}
models:
  fast:
    strategy: weighted
    hedge_after: 300ms
    deployments:
      - {provider: oai, model: gpt-4o-mini, weight: 3}
      - {provider: pool, model: local, rpm: 60, price: {input: 0.10, output: "2"}}
)";

TEST(RenderRedacted, ShowsTheConfigurationWithoutItsSecrets) {
  auto loaded = load_config_text(kConfig, "test.yaml", [](std::string_view) { return std::nullopt; });
  ASSERT_TRUE(loaded.snapshot) << (loaded.errors.empty() ? "" : loaded.errors.front());
  std::string rendered = render_redacted(*loaded.snapshot);
  for (const char* secret : {"sk-master-secret", "sk-provider-secret", "tok-header-secret", "sk-one-secret", "sk-two-secret",
                             "pg-password-secret"}) {
    EXPECT_EQ(rendered.find(secret), std::string::npos) << secret;
  }
  boost::json::value config = boost::json::parse(rendered);
  EXPECT_EQ(config.at_pointer("/auth/master_key"), "[redacted]");
  EXPECT_EQ(config.at_pointer("/storage/database"), "postgres://ledger:***@db.internal:5432/switchyard");
  EXPECT_EQ(config.at_pointer("/providers/oai/api_key"), "[redacted]");
  EXPECT_EQ(config.at_pointer("/providers/oai/headers/x-title"), "[redacted]");
  EXPECT_EQ(config.at_pointer("/providers/pool/api_keys").as_array().size(), 2u);
  EXPECT_EQ(config.at_pointer("/providers/pool/base_url"), "http://127.0.0.1:9/v1");
  EXPECT_EQ(config.at_pointer("/server/header_timeout"), "2500ms");
  EXPECT_EQ(config.at_pointer("/timeouts/first_token"), "90s");
  EXPECT_EQ(config.at_pointer("/models/fast/strategy"), "weighted");
  EXPECT_EQ(config.at_pointer("/models/fast/hedge_after"), "300ms");
  EXPECT_EQ(config.at_pointer("/models/fast/deployments/0/weight"), 3.0);
  EXPECT_EQ(config.at_pointer("/models/fast/deployments/1/rpm"), 60);
  EXPECT_EQ(config.at_pointer("/models/fast/deployments/1/price"), (boost::json::object{{"input", "0.1"}, {"output", "2"}}));
  EXPECT_FALSE(config.at_pointer("/models/fast/deployments/0").as_object().contains("price"));
}

TEST(RenderRedacted, AnEmptySecretIsNullRatherThanRedacted) {
  auto loaded = load_config_text("providers: {local: {type: openai, base_url: \"http://127.0.0.1:9/v1\"}}\n", "test.yaml",
                                 [](std::string_view) { return std::nullopt; });
  ASSERT_TRUE(loaded.snapshot);
  boost::json::value config = boost::json::parse(render_redacted(*loaded.snapshot));
  EXPECT_TRUE(config.at_pointer("/auth/master_key").is_null());
  EXPECT_TRUE(config.at_pointer("/providers/local/api_key").is_null());
}

}  // namespace
}  // namespace switchyard::config
