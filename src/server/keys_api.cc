#include "server/keys_api.h"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <charconv>

#include "core/units.h"
#include "ledger/ledger_row.h"
#include "policy/access_control.h"
#include "policy/key_secret.h"
#include "server/responses.h"
#include "server/upstream_relay.h"

namespace switchyard::server {
namespace net = boost::asio;
namespace json = boost::json;
using policy::Team;
using policy::VirtualKey;

namespace {

constexpr std::size_t kMaxName = 256;
const std::string kNoSecret;  // an answer that carries no secret
constexpr std::size_t kMaxModels = 1000;
constexpr std::size_t kMaxMetadata = 16 * 1024;

std::int64_t now_seconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

GatewayError bad(std::string_view field, std::string message) {
  return make_error(ErrorKind::invalid_request, std::move(message), "invalid_value", std::string(field));
}

json::value time_or_null(std::optional<std::int64_t> seconds) {
  if (!seconds || *seconds <= 0) return nullptr;
  return json::string(ledger::rfc3339(*seconds * 1'000'000));
}

// "0.05", not "0.050000000000": the amount as people write it, still exact.
std::string usd_text(Money amount) {
  std::string text = format_usd(amount);
  while (text.back() == '0') text.pop_back();
  if (text.back() == '.') text.pop_back();
  return text;
}

// What a request body asks to set. For PATCH an absent field stays as it is; a null one
// clears it (a limit, the team, the expiry).
struct Changes {
  std::optional<std::string> name;
  std::optional<std::string> team;  // "" clears
  std::optional<std::vector<std::string>> models;
  std::optional<std::optional<std::int64_t>> rpm, tpm, max_parallel;
  std::optional<std::optional<policy::Budget>> budget;
  std::optional<std::optional<std::int64_t>> expires_at;
  std::optional<std::string> metadata;
};

Result<std::optional<std::int64_t>> positive_integer(const json::value& value, std::string_view field) {
  if (value.is_null()) return std::optional<std::int64_t>();
  if (value.is_int64() && value.as_int64() > 0) return std::optional<std::int64_t>(value.as_int64());
  if (value.is_uint64() && value.as_uint64() <= static_cast<std::uint64_t>(INT64_MAX) && value.as_uint64() > 0) {
    return std::optional<std::int64_t>(static_cast<std::int64_t>(value.as_uint64()));
  }
  return bad(field, "'" + std::string(field) + "' must be a positive integer or null");
}

// budget.usd as a number or a decimal string, exact to the pico-dollar: a number is read
// back from its shortest spelling, so 0.05 is five cents, not 0.05000000000000000277.
std::optional<Money> usd_of(const json::value& value) {
  if (value.is_string()) return parse_usd(std::string_view(value.as_string()));
  if (value.is_int64() && value.as_int64() >= 0) return parse_usd(std::to_string(value.as_int64()));
  if (value.is_uint64()) return parse_usd(std::to_string(value.as_uint64()));
  if (value.is_double() && value.as_double() >= 0) {
    char text[64];
    auto [end, ec] = std::to_chars(text, text + sizeof text, value.as_double(), std::chars_format::fixed);
    if (ec != std::errc{}) return std::nullopt;
    return parse_usd(std::string_view(text, end - text));
  }
  return std::nullopt;
}

Result<std::optional<policy::Budget>> budget_of(const json::value& value) {
  if (value.is_null()) return std::optional<policy::Budget>();
  if (!value.is_object()) return bad("budget", "'budget' must be an object {usd, period} or null");
  const json::object& in = value.as_object();
  for (const auto& member : in) {
    if (member.key() != "usd" && member.key() != "period") {
      return bad("budget." + std::string(member.key()), "unknown field 'budget." + std::string(member.key()) +
                                                             "'; a budget has 'usd' and 'period'");
    }
  }
  const json::value* usd = in.if_contains("usd");
  if (!usd) return bad("budget.usd", "'budget.usd' is required: US dollars, as a number or a decimal string");
  std::optional<Money> amount = usd_of(*usd);
  if (!amount) {
    return bad("budget.usd", "'budget.usd' must be a non-negative amount of US dollars (at most 12 decimal places)");
  }
  policy::Budget budget{*amount, policy::BudgetPeriod::month};
  if (const json::value* period = in.if_contains("period")) {
    std::optional<policy::BudgetPeriod> parsed;
    if (period->is_string()) parsed = policy::parse_budget_period(std::string_view(period->as_string()));
    if (!parsed) return bad("budget.period", "'budget.period' must be one of day, week, month, total");
    budget.period = *parsed;
  }
  return std::optional<policy::Budget>(budget);
}

Result<Changes> read_changes(std::string_view body, bool for_key, bool creating, const policy::KeyTable& table,
                             const routing::Router& router) {
  json::error_code ec;
  json::value parsed = json::parse(body.empty() ? std::string_view("{}") : body, ec);
  if (ec || !parsed.is_object()) return bad("", "the request body must be a JSON object");
  const json::object& in = parsed.as_object();
  Changes changes;
  for (const auto& member : in) {
    std::string_view field = member.key();
    const json::value& value = member.value();
    if (field == "name") {
      if (!value.is_string() || value.as_string().empty() || value.as_string().size() > kMaxName) {
        return bad(field, "'name' must be a non-empty string of at most 256 characters");
      }
      changes.name = std::string(value.as_string());
    } else if (field == "models") {
      if (!value.is_array() || value.as_array().size() > kMaxModels) {
        return bad(field, "'models' must be an array of model names (aliases, or PROVIDER/* patterns)");
      }
      std::vector<std::string> models;
      for (const json::value& item : value.as_array()) {
        if (!item.is_string() || item.as_string().empty()) return bad(field, "each of 'models' must be a non-empty string");
        std::string model(item.as_string());
        bool pattern = model.size() > 2 && model.ends_with("/*");
        std::string provider = pattern ? model.substr(0, model.size() - 2) : std::string();
        if (pattern ? !router.providers().contains(provider) : !router.is_alias(model)) {
          return bad(field, "'" + model + "' in 'models' is neither a configured alias nor PROVIDER/* for a "
                            "configured provider");
        }
        models.push_back(std::move(model));
      }
      changes.models = std::move(models);
    } else if (field == "rpm" || field == "tpm" || field == "max_parallel") {
      auto number = positive_integer(value, field);
      if (!number) return number.take_error();
      (field == "rpm" ? changes.rpm : field == "tpm" ? changes.tpm : changes.max_parallel) = number.value();
    } else if (field == "budget") {
      auto budget = budget_of(value);
      if (!budget) return budget.take_error();
      changes.budget = budget.value();
    } else if (field == "metadata") {
      if (!value.is_object() && !value.is_null()) return bad(field, "'metadata' must be an object");
      std::string text = value.is_null() ? "{}" : json::serialize(value);
      if (text.size() > kMaxMetadata) return bad(field, "'metadata' must be at most 16 KiB of JSON");
      changes.metadata = std::move(text);
    } else if (for_key && field == "team") {
      if (value.is_null()) {
        changes.team = "";
      } else if (!value.is_string() || !table.teams.contains(std::string(value.as_string()))) {
        return bad(field, "'team' must be the id of an existing team (or null)");
      } else {
        changes.team = std::string(value.as_string());
      }
    } else if (for_key && field == "expires_at") {
      if (value.is_null()) {
        changes.expires_at = std::optional<std::int64_t>();
      } else {
        std::optional<std::int64_t> micros;
        if (value.is_string()) micros = ledger::parse_rfc3339(std::string_view(value.as_string()));
        if (!micros) return bad(field, "'expires_at' must be an RFC 3339 time (2027-01-31T00:00:00Z) or null");
        changes.expires_at = std::optional<std::int64_t>(*micros / 1'000'000);
      }
    } else {
      std::string allowed = for_key ? "name, team, models, rpm, tpm, max_parallel, budget, expires_at, metadata"
                                    : "name, models, rpm, tpm, max_parallel, budget, metadata";
      return bad(field, "unknown field '" + std::string(field) + "'; the fields are " + allowed);
    }
  }
  if (creating && !changes.name) return bad("name", "'name' is required");
  return changes;
}

template <class Record>
void apply_common(const Changes& changes, Record& record) {
  if (changes.name) record.name = *changes.name;
  if (changes.models) record.models = *changes.models;
  if (changes.rpm) record.limits.rpm = *changes.rpm;
  if (changes.tpm) record.limits.tpm = *changes.tpm;
  if (changes.max_parallel) record.limits.max_parallel = *changes.max_parallel;
  if (changes.budget) record.limits.budget = *changes.budget;
  if (changes.metadata) record.metadata = *changes.metadata;
}

json::value optional_number(const std::optional<std::int64_t>& value) {
  return value ? json::value(*value) : json::value(nullptr);
}

json::array string_array(const std::vector<std::string>& items) {
  json::array out;
  for (const std::string& item : items) out.push_back(json::string(item));
  return out;
}

// The fields keys and teams share, with spend for the current budget period.
json::object common_object(const std::string& id, const std::string& name, const std::vector<std::string>& models,
                           const policy::Limits& limits, const std::string& metadata, std::int64_t created_at,
                           bool revoked, const std::optional<policy::Spend>& spend, std::int64_t now) {
  json::error_code ec;
  json::value meta = json::parse(metadata, ec);
  json::object out{{"id", id},
                   {"name", name},
                   {"models", string_array(models)},
                   {"rpm", optional_number(limits.rpm)},
                   {"tpm", optional_number(limits.tpm)},
                   {"max_parallel", optional_number(limits.max_parallel)},
                   {"metadata", ec ? json::value(json::object()) : meta}};
  if (limits.budget) {
    out["budget"] = json::object{{"usd", usd_text(limits.budget->usd)},
                                 {"period", policy::budget_period_name(limits.budget->period)}};
    out["spend_usd"] = usd_text(spend ? spend->spent : Money{});
    out["budget_resets_at"] = time_or_null(policy::period_end(limits.budget->period, now));
  } else {
    out["budget"] = nullptr;
    out["spend_usd"] = nullptr;
    out["budget_resets_at"] = nullptr;
  }
  out["created_at"] = time_or_null(created_at);
  out["revoked"] = revoked;
  return out;
}

class RecordsApi {
 public:
  RecordsApi(RequestScope& scope, policy::AccessControl& access) : scope_(scope), access_(access) {}

  net::awaitable<void> serve() {
    std::string_view resource = scope_.route.resource;
    std::string_view id = resource.substr(0, resource.find('/'));
    std::string_view action = id.size() < resource.size() ? resource.substr(id.size() + 1) : std::string_view();
    std::string_view method = scope_.exchange.request.method();
    bool keys = scope_.route.operation == Operation::admin_keys;
    const std::string record_id(id);  // a named local: coroutines below take it by reference
    if (id.empty()) {
      if (method == "GET") co_return co_await list(keys);
      if (method == "POST") co_return co_await create(keys);
      co_return co_await wrong_method("GET or POST");
    }
    if (action.empty()) {
      if (method == "GET") co_return co_await show(keys, record_id);
      if (method == "PATCH") co_return co_await change(keys, record_id);
      if (method == "DELETE") co_return co_await revoke(keys, record_id);
      co_return co_await wrong_method("GET, PATCH or DELETE");
    }
    if (keys && action == "rotate") {
      if (method == "POST") co_return co_await rotate(record_id);
      co_return co_await wrong_method("POST");
    }
    co_await fail(make_error(ErrorKind::not_found, "Unknown request URL: " + std::string(method) + " " +
                                                       scope_.context.outcome.path, "unknown_url"));
  }

 private:
  net::awaitable<void> answer(int status, const json::object& body) {
    scope_.context.outcome.status = status;
    co_await scope_.exchange.response.send(json_response(status, json::serialize(body)));
  }
  net::awaitable<void> fail(const GatewayError& error) {
    co_await send_error(scope_.exchange, scope_.context, scope_.client, error);
  }
  net::awaitable<void> wrong_method(std::string_view allowed) {
    co_await fail(make_error(ErrorKind::method_not_allowed,
                             "Method " + scope_.context.outcome.method + " is not allowed here; use " + std::string(allowed),
                             "method_not_allowed"));
  }
  GatewayError unknown(bool keys, const std::string& id) {
    return make_error(ErrorKind::not_found, std::string(keys ? "No key" : "No team") + " with id '" + id + "'",
                      keys ? "key_not_found" : "team_not_found");
  }
  GatewayError read_only(const std::string& id) {
    GatewayError error = make_error(ErrorKind::invalid_request,
                                    "The key '" + id + "' is declared in the configuration file: change it there",
                                    "read_only_key");
    error.status = 409;
    return error;
  }

  net::awaitable<std::optional<policy::Spend>> spend_of(const std::string& scope, const policy::Limits& limits,
                                                        std::int64_t now) {
    if (!limits.budget) co_return std::nullopt;
    policy::Spend spend = co_await access_.limiter.spend(scope, limits.budget->period, now);
    co_return spend;
  }

  net::awaitable<json::object> key_object(const policy::KeyEntry& entry) {
    const VirtualKey& key = entry.key;
    std::int64_t now = now_seconds();
    const std::string scope = "key:" + key.id;
    std::optional<policy::Spend> spend = co_await spend_of(scope, key.limits, now);
    json::object out =
        common_object(key.id, key.name, key.models, key.limits, key.metadata, key.created_at, key.revoked, spend, now);
    out["team"] = key.team_id.empty() ? json::value(nullptr) : json::value(json::string(key.team_id));
    out["expires_at"] = time_or_null(key.expires_at);
    out["key_prefix"] = key.key_prefix;
    out["last_used_at"] = time_or_null(entry.last_used_at->load(std::memory_order_relaxed));
    out["source"] = key.from_config ? "config" : "api";
    co_return out;
  }

  net::awaitable<json::object> team_object(const Team& team) {
    std::int64_t now = now_seconds();
    const std::string scope = "team:" + team.id;
    std::optional<policy::Spend> spend = co_await spend_of(scope, team.limits, now);
    co_return common_object(team.id, team.name, team.models, team.limits, team.metadata, team.created_at,
                            team.revoked, spend, now);
  }

  net::awaitable<void> list(bool keys) {
    std::shared_ptr<const policy::KeyTable> table = access_.keys.table();
    json::array data;
    if (keys) {
      for (const auto& [id, entry] : table->keys) {
        json::object item = co_await key_object(*entry);
        data.push_back(std::move(item));
      }
    } else {
      for (const auto& [id, team] : table->teams) {
        json::object item = co_await team_object(*team);
        data.push_back(std::move(item));
      }
    }
    json::object out;
    out["object"] = "list";
    out["data"] = std::move(data);
    co_await answer(200, out);
  }

  net::awaitable<void> show(bool keys, const std::string& id) {
    std::shared_ptr<const policy::KeyTable> table = access_.keys.table();
    if (keys) {
      auto found = table->keys.find(id);
      if (found == table->keys.end()) co_return co_await fail(unknown(true, id));
      json::object out = co_await key_object(*found->second);
      co_return co_await answer(200, out);
    }
    auto found = table->teams.find(id);
    if (found == table->teams.end()) co_return co_await fail(unknown(false, id));
    json::object out = co_await team_object(*found->second);
    co_await answer(200, out);
  }

  Result<Changes> changes(bool keys, bool creating) {
    return read_changes(scope_.exchange.request.body, keys, creating, *access_.keys.table(), scope_.runtime->router);
  }

  // Saves a key and answers with it (and, when given, its new secret).
  net::awaitable<void> save_and_answer(const VirtualKey& key, int status, const std::string& secret) {
    std::string id = key.id;
    Status saved = co_await access_.keys.save_key(key);
    if (!saved) co_return co_await fail(saved.error());
    auto table = access_.keys.table();
    json::object out = co_await key_object(*table->keys.at(id));
    if (!secret.empty()) out["key"] = secret;
    co_await answer(status, out);
  }

  net::awaitable<void> save_and_answer(const Team& team, int status) {
    std::string id = team.id;
    Status saved = co_await access_.keys.save_team(team);
    if (!saved) co_return co_await fail(saved.error());
    auto table = access_.keys.table();
    json::object out = co_await team_object(*table->teams.at(id));
    co_await answer(status, out);
  }

  net::awaitable<void> create(bool keys) {
    Result<Changes> asked = changes(keys, true);
    if (!asked) co_return co_await fail(asked.error());
    if (!keys) {
      Team team;
      team.id = policy::new_identifier("team_");
      team.created_at = now_seconds();
      apply_common(asked.value(), team);
      co_return co_await save_and_answer(team, 201);
    }
    VirtualKey key;
    key.id = policy::new_identifier("key_");
    key.created_at = now_seconds();
    apply_common(asked.value(), key);
    if (asked->team) key.team_id = *asked->team;
    if (asked->expires_at) key.expires_at = *asked->expires_at;
    std::string secret = policy::new_secret();
    key.key_prefix = policy::display_prefix(secret);
    key.secrets.push_back({policy::secret_hash(secret), std::nullopt});
    co_await save_and_answer(key, 201, secret);
  }

  net::awaitable<void> change(bool keys, const std::string& id) {
    std::shared_ptr<const policy::KeyTable> table = access_.keys.table();
    if (keys) {
      auto found = table->keys.find(id);
      if (found == table->keys.end()) co_return co_await fail(unknown(true, id));
      if (found->second->key.from_config) co_return co_await fail(read_only(id));
      Result<Changes> asked = changes(true, false);
      if (!asked) co_return co_await fail(asked.error());
      VirtualKey key = found->second->key;
      apply_common(asked.value(), key);
      if (asked->team) key.team_id = *asked->team;
      if (asked->expires_at) key.expires_at = *asked->expires_at;
      co_return co_await save_and_answer(key, 200, kNoSecret);
    }
    auto found = table->teams.find(id);
    if (found == table->teams.end()) co_return co_await fail(unknown(false, id));
    Result<Changes> asked = changes(false, false);
    if (!asked) co_return co_await fail(asked.error());
    Team team = *found->second;
    apply_common(asked.value(), team);
    co_await save_and_answer(team, 200);
  }

  net::awaitable<void> revoke(bool keys, const std::string& id) {
    std::shared_ptr<const policy::KeyTable> table = access_.keys.table();
    if (keys) {
      auto found = table->keys.find(id);
      if (found == table->keys.end()) co_return co_await fail(unknown(true, id));
      if (found->second->key.from_config) co_return co_await fail(read_only(id));
      VirtualKey key = found->second->key;
      key.revoked = true;
      co_return co_await save_and_answer(key, 200, kNoSecret);
    }
    auto found = table->teams.find(id);
    if (found == table->teams.end()) co_return co_await fail(unknown(false, id));
    Team team = *found->second;
    team.revoked = true;
    co_await save_and_answer(team, 200);
  }

  net::awaitable<void> rotate(const std::string& id) {
    std::shared_ptr<const policy::KeyTable> table = access_.keys.table();
    auto found = table->keys.find(id);
    if (found == table->keys.end()) co_return co_await fail(unknown(true, id));
    if (found->second->key.from_config) co_return co_await fail(read_only(id));
    if (found->second->key.revoked) {
      co_return co_await fail(make_error(ErrorKind::invalid_request, "The key '" + id + "' is revoked", "key_revoked"));
    }
    Millis grace{0};
    std::string_view body = scope_.exchange.request.body;
    if (!body.empty()) {
      json::error_code ec;
      json::value parsed = json::parse(body, ec);
      if (ec || !parsed.is_object()) co_return co_await fail(bad("", "the request body must be a JSON object"));
      for (const auto& member : parsed.as_object()) {
        if (member.key() != "grace_period") {
          co_return co_await fail(bad(member.key(), "unknown field '" + std::string(member.key()) +
                                                        "'; rotate takes only 'grace_period'"));
        }
        std::optional<Millis> duration;
        if (member.value().is_string()) duration = parse_duration(std::string_view(member.value().as_string()));
        if (member.value().is_null()) duration = Millis(0);
        if (!duration) co_return co_await fail(bad("grace_period", "'grace_period' must be a duration such as \"30s\""));
        grace = *duration;
      }
    }
    VirtualKey key = found->second->key;
    std::int64_t now = now_seconds();
    std::vector<policy::SecretHash> kept;
    std::string secret = policy::new_secret();
    kept.push_back({policy::secret_hash(secret), std::nullopt});
    if (grace.count() > 0) {
      std::int64_t until = now + (grace.count() + 999) / 1000;
      for (policy::SecretHash old : key.secrets) {
        if (old.valid_until && *old.valid_until <= now) continue;
        old.valid_until = old.valid_until ? std::min(*old.valid_until, until) : until;
        kept.push_back(std::move(old));
      }
    }
    key.secrets = std::move(kept);
    key.key_prefix = policy::display_prefix(secret);
    co_await save_and_answer(key, 200, secret);
  }

  RequestScope& scope_;
  policy::AccessControl& access_;
};

}  // namespace

net::awaitable<void> serve_access_records(RequestScope& scope, const GatewayServices& services) {
  if (!services.access) {
    co_await send_error(scope.exchange, scope.context, scope.client,
                        make_error(ErrorKind::not_found, "virtual keys are not available in this process", "keys_off"));
    co_return;
  }
  RecordsApi api(scope, *services.access);
  co_await api.serve();
}

}  // namespace switchyard::server
