#include "config/render.h"

#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include "core/redact.h"

namespace switchyard::config {
namespace json = boost::json;

namespace {

json::value secret(const std::string& value) {
  if (value.empty()) return nullptr;
  return json::string(kRedacted);
}

json::object telemetry(const Telemetry& telemetry) {
  if (!telemetry.otlp) return json::object{{"otlp", nullptr}, {"metrics", telemetry.metrics}};
  json::object headers;
  for (const auto& [name, value] : telemetry.otlp->headers) headers[name] = secret(value);  // collector tokens
  return json::object{{"otlp", json::object{{"endpoint", telemetry.otlp->endpoint},
                                            {"headers", std::move(headers)},
                                            {"sample_ratio", telemetry.otlp->sample_ratio}}},
                      {"metrics", telemetry.metrics}};
}

// The file's keys with everything but their secrets (shown only as their display prefix).
json::array config_keys(const std::vector<policy::VirtualKey>& keys) {
  json::array out;
  for (const policy::VirtualKey& key : keys) {
    json::array models;
    for (const std::string& model : key.models) models.push_back(json::string(model));
    json::object entry{{"name", key.name}, {"key", kRedacted}, {"key_prefix", key.key_prefix}, {"models", std::move(models)}};
    if (!key.team_id.empty()) entry["team"] = key.team_id;
    if (key.limits.rpm) entry["rpm"] = *key.limits.rpm;
    if (key.limits.tpm) entry["tpm"] = *key.limits.tpm;
    if (key.limits.max_parallel) entry["max_parallel"] = *key.limits.max_parallel;
    if (key.limits.budget) {
      entry["budget"] = json::object{{"usd", format_usd(key.limits.budget->usd)},
                                     {"period", policy::budget_period_name(key.limits.budget->period)}};
    }
    out.push_back(std::move(entry));
  }
  return out;
}

std::string_view level_name(log::Level level) {
  switch (level) {
    case log::Level::debug: return "debug";
    case log::Level::info: return "info";
    case log::Level::warn: return "warn";
    case log::Level::error: return "error";
  }
  return "info";
}

json::object timeouts(const http::UpstreamTimeouts& t) {
  return json::object{{"connect", format_duration(t.connect)},
                      {"first_byte", format_duration(t.first_byte)},
                      {"first_token", format_duration(t.first_token)},
                      {"idle", format_duration(t.idle)},
                      {"total", format_duration(t.total)}};
}

json::object provider(const providers::ProviderSpec& spec) {
  json::object out{{"type", spec.type}};
  if (!spec.base_url.empty()) out["base_url"] = spec.base_url;
  if (!spec.api_keys.empty()) {
    json::array keys;
    for (const auto& key : spec.api_keys) keys.push_back(secret(key));
    out["api_keys"] = std::move(keys);
  } else {
    out["api_key"] = secret(spec.api_key);
  }
  if (!spec.api_version.empty()) out["api_version"] = spec.api_version;
  if (!spec.headers.empty()) {
    json::object headers;
    for (const auto& [name, value] : spec.headers) headers[name] = secret(value);  // may carry tokens
    out["headers"] = std::move(headers);
  }
  if (!spec.ca_file.empty()) out["ca_file"] = spec.ca_file;
  if (spec.timeouts) out["timeouts"] = timeouts(*spec.timeouts);
  return out;
}

// A configured price as it was written: dollars per million tokens.
json::object price(const pricing::ModelPrice& price) {
  json::object out;
  const pricing::PriceStep& step = price.steps.front();
  auto put = [&](const char* kind, const std::optional<pricing::TieredPrice>& value) {
    if (value) out[kind] = format_usd_per_million_tokens(value->base);
  };
  put("input", step.input);
  put("output", step.output);
  put("cache_read", step.cache_read);
  put("cache_write", step.cache_write);
  return out;
}

json::object alias(const routing::ModelAlias& alias) {
  json::array deployments;
  for (const auto& d : alias.deployments) {
    json::object entry{{"provider", d.provider},
                       {"model", d.model},
                       {"weight", d.weight},
                       {"priority", d.priority},
                       {"unsupported_params",
                        d.unsupported_params == canonical::UnsupportedParams::drop ? "drop" : "reject"}};
    if (d.api) entry["api"] = providers::api_name(*d.api);
    if (d.limits.rpm > 0) entry["rpm"] = d.limits.rpm;
    if (d.limits.tpm > 0) entry["tpm"] = d.limits.tpm;
    if (d.timeouts) entry["timeouts"] = timeouts(*d.timeouts);
    if (d.price) entry["price"] = price(*d.price);
    deployments.push_back(std::move(entry));
  }
  json::array fallbacks;
  for (const auto& name : alias.fallbacks) fallbacks.push_back(json::string(name));
  json::object out{{"strategy", routing::strategy_name(alias.strategy)},
                   {"deployments", std::move(deployments)},
                   {"fallbacks", std::move(fallbacks)},
                   {"retry", json::object{{"initial_backoff", format_duration(alias.retry.initial_backoff)},
                                          {"max_backoff", format_duration(alias.retry.max_backoff)}}},
                   {"cooldown", json::object{{"failures", alias.cooldown.failures},
                                             {"window", format_duration(alias.cooldown.window)},
                                             {"duration", format_duration(alias.cooldown.duration)}}}};
  if (alias.retry.max_attempts > 0) out["max_attempts"] = alias.retry.max_attempts;
  if (alias.retry.hedge_after.count() > 0) out["hedge_after"] = format_duration(alias.retry.hedge_after);
  if (alias.timeouts) out["timeouts"] = timeouts(*alias.timeouts);
  return out;
}

}  // namespace

std::string render_redacted(const Snapshot& snapshot) {
  const http::ServerOptions& server = snapshot.server;
  std::string host = server.listen.host.find(':') != std::string::npos ? "[" + server.listen.host + "]" : server.listen.host;
  json::object providers;
  for (const auto& spec : snapshot.providers) providers[spec.name] = provider(spec);
  json::object models;
  for (const auto& entry : snapshot.models) models[entry.name] = alias(entry);
  json::object root{
      {"server", json::object{{"listen", host + ":" + std::to_string(server.listen.port)},
                              {"threads", server.threads},
                              {"max_body_size", server.max_body_size},
                              {"max_header_size", server.max_header_size},
                              {"header_timeout", format_duration(server.header_timeout)},
                              {"idle_timeout", format_duration(server.idle_timeout)},
                              {"shutdown_timeout", format_duration(server.shutdown_timeout)}}},
      {"auth", json::object{{"master_key", secret(snapshot.master_key)}}},
      {"log", json::object{{"level", level_name(snapshot.log_level)}}},
      {"timeouts", timeouts(snapshot.timeouts)},
      {"providers", std::move(providers)},
      {"models", std::move(models)},
      {"storage", json::object{{"dir", snapshot.storage.dir},
                               {"response_retention", format_duration(snapshot.storage.response_retention)},
                               {"ledger", snapshot.storage.ledger},
                               {"database", snapshot.storage.database.empty()
                                                ? json::value(nullptr)
                                                : json::value(redact_url_password(snapshot.storage.database))},
                               {"redis", snapshot.storage.redis.empty() ? json::value(nullptr)
                                                                        : json::value(redact_url_password(snapshot.storage.redis))}}},
      {"telemetry", telemetry(snapshot.telemetry)},
      {"keys", config_keys(snapshot.keys)},
      {"limits", json::object{{"default_max_tokens", snapshot.limits.default_max_tokens},
                              {"on_redis_failure", snapshot.limits.fail_open ? "fail_open" : "fail_closed"},
                              {"lease_ttl", format_duration(snapshot.limits.lease_ttl)}}},
  };
  return json::serialize(root);
}

}  // namespace switchyard::config
