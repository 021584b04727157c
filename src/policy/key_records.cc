#include "policy/key_records.h"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

namespace switchyard::policy {
namespace json = boost::json;

namespace {

constexpr char kHex[] = "0123456789abcdef";

std::string to_hex(std::string_view bytes) {
  std::string out;
  for (unsigned char byte : bytes) {
    out += kHex[byte >> 4];
    out += kHex[byte & 15];
  }
  return out;
}

std::optional<std::string> from_hex(std::string_view text) {
  if (text.size() % 2) return std::nullopt;
  auto digit = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
  };
  std::string out;
  for (std::size_t i = 0; i < text.size(); i += 2) {
    int high = digit(text[i]), low = digit(text[i + 1]);
    if (high < 0 || low < 0) return std::nullopt;
    out += static_cast<char>(high * 16 + low);
  }
  return out;
}

void put_limits(json::object& out, const Limits& limits) {
  if (limits.rpm) out["rpm"] = *limits.rpm;
  if (limits.tpm) out["tpm"] = *limits.tpm;
  if (limits.max_parallel) out["max_parallel"] = *limits.max_parallel;
  if (limits.budget) {
    out["budget"] = json::object{{"pico", limits.budget->usd.pico}, {"period", budget_period_name(limits.budget->period)}};
  }
}

std::optional<std::int64_t> integer(const json::object& in, std::string_view name) {
  const json::value* value = in.if_contains(name);
  if (!value || !value->is_int64()) return std::nullopt;
  return value->as_int64();
}

std::string string_of(const json::object& in, std::string_view name) {
  const json::value* value = in.if_contains(name);
  return value && value->is_string() ? std::string(value->as_string()) : std::string();
}

Limits read_limits(const json::object& in) {
  Limits limits;
  limits.rpm = integer(in, "rpm");
  limits.tpm = integer(in, "tpm");
  limits.max_parallel = integer(in, "max_parallel");
  if (const json::value* budget = in.if_contains("budget"); budget && budget->is_object()) {
    auto pico = integer(budget->as_object(), "pico");
    auto period = parse_budget_period(string_of(budget->as_object(), "period"));
    if (pico && period) limits.budget = Budget{Money{*pico}, *period};
  }
  return limits;
}

json::array string_array(const std::vector<std::string>& items) {
  json::array out;
  for (const std::string& item : items) out.push_back(json::string(item));
  return out;
}

std::vector<std::string> read_strings(const json::object& in, std::string_view name) {
  std::vector<std::string> out;
  if (const json::value* value = in.if_contains(name); value && value->is_array()) {
    for (const json::value& item : value->as_array()) {
      if (item.is_string()) out.emplace_back(item.as_string());
    }
  }
  return out;
}

std::optional<json::object> parse_object(std::string_view document) {
  json::error_code ec;
  json::value value = json::parse(document, ec);
  if (ec || !value.is_object()) return std::nullopt;
  return std::move(value.as_object());
}

std::string metadata_of(const json::object& in) {
  const json::value* value = in.if_contains("metadata");
  return value && value->is_object() ? json::serialize(*value) : std::string("{}");
}

json::value parsed_metadata(const std::string& metadata) {
  json::error_code ec;
  json::value value = json::parse(metadata, ec);
  return ec || !value.is_object() ? json::value(json::object()) : value;
}

}  // namespace

std::string key_document(const VirtualKey& key) {
  json::object out{{"id", key.id},
                   {"name", key.name},
                   {"team", key.team_id},
                   {"models", string_array(key.models)},
                   {"metadata", parsed_metadata(key.metadata)},
                   {"key_prefix", key.key_prefix},
                   {"created_at", key.created_at},
                   {"revoked", key.revoked}};
  put_limits(out, key.limits);
  if (key.expires_at) out["expires_at"] = *key.expires_at;
  json::array secrets;
  for (const SecretHash& secret : key.secrets) {
    json::object entry{{"sha256", to_hex(secret.sha256)}};
    if (secret.valid_until) entry["valid_until"] = *secret.valid_until;
    secrets.push_back(std::move(entry));
  }
  out["secrets"] = std::move(secrets);
  return json::serialize(out);
}

std::string team_document(const Team& team) {
  json::object out{{"id", team.id},
                   {"name", team.name},
                   {"models", string_array(team.models)},
                   {"metadata", parsed_metadata(team.metadata)},
                   {"created_at", team.created_at},
                   {"revoked", team.revoked}};
  put_limits(out, team.limits);
  return json::serialize(out);
}

std::optional<VirtualKey> key_from_document(std::string_view document) {
  auto in = parse_object(document);
  if (!in) return std::nullopt;
  VirtualKey key;
  key.id = string_of(*in, "id");
  if (key.id.empty()) return std::nullopt;
  key.name = string_of(*in, "name");
  key.team_id = string_of(*in, "team");
  key.models = read_strings(*in, "models");
  key.limits = read_limits(*in);
  key.expires_at = integer(*in, "expires_at");
  key.metadata = metadata_of(*in);
  key.key_prefix = string_of(*in, "key_prefix");
  key.created_at = integer(*in, "created_at").value_or(0);
  const json::value* revoked = in->if_contains("revoked");
  key.revoked = revoked && revoked->is_bool() && revoked->as_bool();
  if (const json::value* secrets = in->if_contains("secrets"); secrets && secrets->is_array()) {
    for (const json::value& entry : secrets->as_array()) {
      if (!entry.is_object()) continue;
      auto hash = from_hex(string_of(entry.as_object(), "sha256"));
      if (!hash || hash->size() != 32) continue;
      key.secrets.push_back({std::move(*hash), integer(entry.as_object(), "valid_until")});
    }
  }
  return key;
}

std::optional<Team> team_from_document(std::string_view document) {
  auto in = parse_object(document);
  if (!in) return std::nullopt;
  Team team;
  team.id = string_of(*in, "id");
  if (team.id.empty()) return std::nullopt;
  team.name = string_of(*in, "name");
  team.models = read_strings(*in, "models");
  team.limits = read_limits(*in);
  team.metadata = metadata_of(*in);
  team.created_at = integer(*in, "created_at").value_or(0);
  const json::value* revoked = in->if_contains("revoked");
  team.revoked = revoked && revoked->is_bool() && revoked->as_bool();
  return team;
}

}  // namespace switchyard::policy
