#include "config/loader.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <charconv>
#include <map>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "core/money.h"
#include "core/units.h"
#include "http/endpoint.h"
#include "policy/key_secret.h"
#include "pricing/model_price.h"
#include "store/redis_connection.h"

namespace switchyard::config {
namespace {

// Walks the YAML tree, converting and checking values, and collects every error with
// the line it belongs to instead of stopping at the first.
constexpr std::string_view kEnvMarker = "__SWITCHYARD_ENV_";

// `${VAR}` cannot stand in YAML as written ({ and } delimit flow mappings, so
// `{master_key: ${KEY}}` does not parse). Each reference on one line is swapped for a
// YAML-safe marker before parsing, and resolved per value afterwards, so errors keep
// their line and an expanded value can never change the document's structure.
std::string protect_env_references(std::string_view text, std::vector<std::string>& references) {
  std::string out;
  out.reserve(text.size());
  std::size_t i = 0;
  while (i < text.size()) {
    std::size_t start = text.find("${", i);
    std::size_t end = start == std::string_view::npos ? start : text.find_first_of("}\n", start);
    if (end == std::string_view::npos || text[end] != '}') {
      std::size_t stop = start == std::string_view::npos ? text.size() : start + 2;
      out.append(text.substr(i, stop - i));
      i = stop;
      continue;
    }
    out.append(text.substr(i, start - i));
    out += kEnvMarker;
    out += std::to_string(references.size());
    out += "__";
    references.emplace_back(text.substr(start + 2, end - start - 2));
    i = end + 1;
  }
  return out;
}

class Compiler {
 public:
  Compiler(std::string source, const EnvLookup& env, std::vector<std::string> env_references)
      : source_(std::move(source)), env_(env), env_references_(std::move(env_references)) {}

  LoadResult compile(const YAML::Node& root) {
    Snapshot snapshot;
    snapshot.source = source_;
    if (!root || root.IsNull()) {
      error(root, "the configuration is empty; see docs/configuration.md");
      return finish(std::move(snapshot));
    }
    if (!root.IsMap()) {
      error(root, "the top level must be a mapping of sections (server, auth, providers, models, ...)");
      return finish(std::move(snapshot));
    }
    check_keys(root, "top level",
               {"server", "auth", "log", "timeouts", "providers", "models", "storage", "telemetry", "keys", "limits"});
    if (auto node = root["server"]) read_server(node, snapshot.server);
    if (auto node = root["auth"]) read_auth(node, snapshot);
    if (auto node = root["log"]) read_log(node, snapshot);
    if (auto node = root["timeouts"]) read_timeouts(node, "timeouts", snapshot.timeouts);
    if (auto node = root["providers"]) read_providers(node, snapshot);
    if (auto node = root["models"]) read_models(node, snapshot);
    if (auto node = root["storage"]) read_storage(node, snapshot.storage);
    if (auto node = root["telemetry"]) read_telemetry(node, snapshot.telemetry);
    if (auto node = root["keys"]) read_keys(node, snapshot);
    if (auto node = root["limits"]) read_limits_section(node, snapshot.limits);
    if (snapshot.providers.empty()) error(root, "no providers are configured; add a 'providers' section");
    if (errors_.empty()) {
      if (auto problem = exposure_problem(snapshot)) error(root["server"] ? root["server"] : root, *problem);
    }
    return finish(std::move(snapshot));
  }

  void error(const YAML::Node& node, std::string_view message) {
    int line = node ? node.Mark().line + 1 : 0;
    error_at(line, message);
  }
  void error_at(int line, std::string_view message) {
    errors_.push_back(source_ + ":" + std::to_string(std::max(line, 1)) + ": " + std::string(message));
  }

 private:
  LoadResult finish(Snapshot snapshot) {
    LoadResult result;
    if (errors_.empty()) {
      result.snapshot = std::move(snapshot);
    } else {
      result.errors = std::move(errors_);
    }
    return result;
  }

  // Rejects keys outside `allowed`, suggesting the closest allowed one.
  void check_keys(const YAML::Node& map, std::string_view where, std::initializer_list<std::string_view> allowed) {
    for (auto it = map.begin(); it != map.end(); ++it) {
      std::string key = it->first.as<std::string>("");
      if (std::find(allowed.begin(), allowed.end(), key) != allowed.end()) continue;
      std::string message = "unknown key '" + key + "' in " + std::string(where);
      if (auto hint = closest(key, allowed); !hint.empty()) message += " (did you mean '" + hint + "'?)";
      error(it->first, message);
    }
  }

  static std::string closest(const std::string& key, std::initializer_list<std::string_view> allowed) {
    std::string best;
    std::size_t best_distance = 3;  // suggest only near misses
    for (std::string_view candidate : allowed) {
      std::size_t d = edit_distance(key, candidate);
      if (d < best_distance) {
        best_distance = d;
        best = std::string(candidate);
      }
    }
    return best;
  }

  static std::size_t edit_distance(std::string_view a, std::string_view b) {
    std::vector<std::size_t> row(b.size() + 1);
    for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
    for (std::size_t i = 1; i <= a.size(); ++i) {
      std::size_t diagonal = row[0];
      row[0] = i;
      for (std::size_t j = 1; j <= b.size(); ++j) {
        std::size_t above = row[j];
        row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
        diagonal = above;
      }
    }
    return row[b.size()];
  }

  bool expect_map(const YAML::Node& node, std::string_view what) {
    if (node.IsMap()) return true;
    if (node.IsNull()) return false;  // an empty section is allowed and means defaults
    error(node, std::string(what) + " must be a mapping");
    return false;
  }

  // A scalar with ${VAR} and ${VAR:-default} expanded.
  std::optional<std::string> scalar(const YAML::Node& node, std::string_view what) {
    if (!node.IsScalar()) {
      error(node, std::string(what) + " must be a single value");
      return std::nullopt;
    }
    return expand(node.Scalar(), node, what);
  }

  // Resolves the environment references protect_env_references() put into `text`.
  std::optional<std::string> expand(const std::string& text, const YAML::Node& node, std::string_view what) {
    if (text.find("${") != std::string::npos) {
      error(node, std::string(what) + ": unterminated or malformed '${' (write ${NAME} or ${NAME:-default})");
      return std::nullopt;
    }
    std::string out;
    std::size_t i = 0;
    while (i < text.size()) {
      std::size_t start = text.find(kEnvMarker, i);
      std::size_t digits = start == std::string::npos ? start : start + kEnvMarker.size();
      std::size_t end = digits == std::string::npos ? digits : text.find("__", digits);
      if (end == std::string::npos) {
        out.append(text, i);
        break;
      }
      out.append(text, i, start - i);
      std::size_t index = std::stoul(text.substr(digits, end - digits));
      std::string name = env_references_.at(index);
      std::optional<std::string> fallback;
      if (auto dash = name.find(":-"); dash != std::string::npos) {
        fallback = name.substr(dash + 2);
        name.resize(dash);
      }
      if (name.empty() || !std::all_of(name.begin(), name.end(), [](char c) {
            return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
          })) {
        error(node, std::string(what) + ": '${" + name + "}' is not a valid environment variable reference");
        return std::nullopt;
      }
      auto value = env_(name);
      if (!value && !fallback) {
        error(node, "environment variable " + name + " is not set (needed by " + std::string(what) +
                        "; write ${" + name + ":-} to allow it to be empty)");
        return std::nullopt;
      }
      out += value ? *value : *fallback;
      i = end + 2;
    }
    return out;
  }

  std::optional<Millis> duration(const YAML::Node& node, std::string_view what) {
    auto text = scalar(node, what);
    if (!text) return std::nullopt;
    auto value = parse_duration(*text);
    if (!value || value->count() == 0) {
      error(node, std::string(what) + ": '" + *text + "' is not a positive duration (e.g. 500ms, 30s, 5m)");
      return std::nullopt;
    }
    return value;
  }

  std::optional<std::uint64_t> size(const YAML::Node& node, std::string_view what) {
    auto text = scalar(node, what);
    if (!text) return std::nullopt;
    auto value = parse_size(*text);
    if (!value || *value == 0) {
      error(node, std::string(what) + ": '" + *text + "' is not a positive size (e.g. 1048576, 512KiB, 32MiB)");
      return std::nullopt;
    }
    return value;
  }

  std::optional<std::uint64_t> count(const YAML::Node& node, std::string_view what, std::uint64_t max) {
    auto text = scalar(node, what);
    if (!text) return std::nullopt;
    std::uint64_t value = 0;
    auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), value);
    if (ec != std::errc{} || end != text->data() + text->size() || value > max) {
      error(node, std::string(what) + ": expected a whole number from 0 to " + std::to_string(max));
      return std::nullopt;
    }
    return value;
  }

  void read_server(const YAML::Node& node, http::ServerOptions& server) {
    if (!expect_map(node, "server")) return;
    check_keys(node, "server", {"listen", "threads", "max_body_size", "max_header_size", "header_timeout",
                                "idle_timeout", "shutdown_timeout"});
    if (auto listen = node["listen"]) {
      if (auto text = scalar(listen, "server.listen")) {
        std::string problem;
        if (auto address = http::parse_listen_address(*text, problem)) {
          server.listen = *address;
        } else {
          error(listen, "server.listen: '" + *text + "': " + problem);
        }
      }
    }
    if (auto n = node["threads"]) {
      if (auto value = count(n, "server.threads", 256)) server.threads = static_cast<unsigned>(*value);
    }
    if (auto n = node["max_body_size"]) {
      if (auto value = size(n, "server.max_body_size")) server.max_body_size = *value;
    }
    if (auto n = node["max_header_size"]) {
      if (auto value = size(n, "server.max_header_size")) {
        if (*value > 1024 * 1024) {
          error(n, "server.max_header_size: at most 1MiB");
        } else {
          server.max_header_size = static_cast<std::uint32_t>(*value);
        }
      }
    }
    if (auto n = node["header_timeout"]) {
      if (auto value = duration(n, "server.header_timeout")) server.header_timeout = *value;
    }
    if (auto n = node["idle_timeout"]) {
      if (auto value = duration(n, "server.idle_timeout")) server.idle_timeout = *value;
    }
    if (auto n = node["shutdown_timeout"]) {
      if (auto value = duration(n, "server.shutdown_timeout")) server.shutdown_timeout = *value;
    }
  }

  void read_auth(const YAML::Node& node, Snapshot& snapshot) {
    if (!expect_map(node, "auth")) return;
    check_keys(node, "auth", {"master_key"});
    if (auto key = node["master_key"]) {
      if (auto value = scalar(key, "auth.master_key")) snapshot.master_key = *value;
    }
  }

  // keys: virtual keys declared here (GitOps), read-only in the admin API. Each secret
  // comes from the environment (key: ${APP_KEY}); the file itself never holds one.
  void read_keys(const YAML::Node& node, Snapshot& snapshot) {
    if (!node.IsSequence()) {
      error(node, "keys must be a list of {name, key, models, rpm, tpm, max_parallel, budget}");
      return;
    }
    std::set<std::string> names, secrets;
    for (std::size_t i = 0; i < node.size(); ++i) {
      const YAML::Node entry = node[i];
      std::string at = "keys[" + std::to_string(i) + "]";
      if (!expect_map(entry, at)) continue;
      check_keys(entry, at, {"name", "key", "team", "models", "rpm", "tpm", "max_parallel", "budget"});
      policy::VirtualKey key;
      key.from_config = true;
      if (auto name = entry["name"]) {
        if (auto value = scalar(name, at + ".name")) {
          bool plain = !value->empty() && std::all_of(value->begin(), value->end(), [](char c) {
            return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.';
          });
          if (!plain) error(name, at + ".name must be letters, digits, '-', '_' or '.'");
          if (!names.insert(*value).second) error(name, at + ".name: '" + *value + "' is declared twice");
          key.name = *value;
          key.id = "cfg-" + *value;
        }
      } else {
        error(entry, at + ".name is required");
      }
      if (auto secret = entry["key"]) {
        if (auto value = scalar(secret, at + ".key")) {
          if (value->size() < 20) error(secret, at + ".key must be at least 20 characters (use ${ENV_VAR})");
          if (!secrets.insert(*value).second) error(secret, at + ".key is the same as another key's");
          if (*value == snapshot.master_key) error(secret, at + ".key must differ from the master key");
          key.key_prefix = policy::display_prefix(*value);
          key.secrets.push_back({policy::secret_hash(*value), std::nullopt});
        }
      } else {
        error(entry, at + ".key is required (e.g. key: ${APP_KEY})");
      }
      if (auto team = entry["team"]) {
        if (auto value = scalar(team, at + ".team")) key.team_id = *value;
      }
      if (auto models = entry["models"]) {
        if (!models.IsSequence()) {
          error(models, at + ".models must be a list of aliases and PROVIDER/* patterns");
        } else {
          for (std::size_t m = 0; m < models.size(); ++m) {
            if (auto value = scalar(models[m], at + ".models")) key.models.push_back(*value);
          }
        }
      }
      read_key_limits(entry, at, key.limits);
      snapshot.keys.push_back(std::move(key));
    }
  }

  void read_key_limits(const YAML::Node& entry, const std::string& at, policy::Limits& limits) {
    auto positive = [&](const char* name) -> std::optional<std::int64_t> {
      auto node = entry[name];
      if (!node) return std::nullopt;
      auto value = count(node, at + "." + name, 1'000'000'000'000);
      if (value && *value == 0) error(node, at + "." + name + " must be at least 1");
      if (!value || *value == 0) return std::nullopt;
      return static_cast<std::int64_t>(*value);
    };
    limits.rpm = positive("rpm");
    limits.tpm = positive("tpm");
    limits.max_parallel = positive("max_parallel");
    if (auto budget = entry["budget"]) {
      if (!expect_map(budget, at + ".budget")) return;
      check_keys(budget, at + ".budget", {"usd", "period"});
      policy::Budget parsed;
      if (auto usd = budget["usd"]) {
        auto text = scalar(usd, at + ".budget.usd");
        std::optional<Money> amount = text ? parse_usd(*text) : std::nullopt;
        if (!amount) {
          if (text) error(usd, at + ".budget.usd must be US dollars as a plain decimal (e.g. 25 or 0.50)");
          return;
        }
        parsed.usd = *amount;
      } else {
        error(budget, at + ".budget.usd is required");
        return;
      }
      if (auto period = budget["period"]) {
        auto text = scalar(period, at + ".budget.period");
        auto value = text ? policy::parse_budget_period(*text) : std::nullopt;
        if (!value) {
          if (text) error(period, at + ".budget.period must be day, week, month or total");
          return;
        }
        parsed.period = *value;
      }
      limits.budget = parsed;
    }
  }

  void read_limits_section(const YAML::Node& node, LimitsSettings& limits) {
    if (!expect_map(node, "limits")) return;
    check_keys(node, "limits", {"default_max_tokens", "on_redis_failure", "lease_ttl"});
    if (auto ttl = node["lease_ttl"]) {
      if (auto value = duration(ttl, "limits.lease_ttl")) {
        if (*value < std::chrono::seconds(1)) error(ttl, "limits.lease_ttl must be at least 1s");
        limits.lease_ttl = *value;
      }
    }
    if (auto policy = node["on_redis_failure"]) {
      if (auto value = scalar(policy, "limits.on_redis_failure")) {
        if (*value == "fail_open") limits.fail_open = true;
        else if (*value != "fail_closed") error(policy, "limits.on_redis_failure must be fail_closed or fail_open");
      }
    }
    if (auto cap = node["default_max_tokens"]) {
      if (auto value = count(cap, "limits.default_max_tokens", 10'000'000)) {
        if (*value == 0) error(cap, "limits.default_max_tokens must be at least 1");
        limits.default_max_tokens = static_cast<std::int64_t>(*value);
      }
    }
  }

  void read_storage(const YAML::Node& node, Storage& storage) {
    if (!expect_map(node, "storage")) return;
    check_keys(node, "storage", {"dir", "response_retention", "ledger", "database", "redis"});
    if (auto redis = node["redis"]) {
      if (auto value = scalar(redis, "storage.redis")) {
        std::string problem;
        if (!store::parse_redis_url(*value, problem)) error(redis, "storage.redis " + problem);
        storage.redis = *value;
      }
    }
    if (auto dir = node["dir"]) {
      if (auto value = scalar(dir, "storage.dir")) {
        if (value->empty()) error(dir, "storage.dir must not be empty");
        storage.dir = *value;
      }
    }
    if (auto retention = node["response_retention"]) {
      if (auto value = duration(retention, "storage.response_retention")) storage.response_retention = *value;
    }
    if (auto ledger = node["ledger"]) {
      if (auto value = boolean(ledger, "storage.ledger")) storage.ledger = *value;
    }
    if (auto database = node["database"]) {
      if (auto value = scalar(database, "storage.database")) {
        if (!value->starts_with("postgres://") && !value->starts_with("postgresql://")) {
          error(database, "storage.database must be a postgres:// URL (without it, the ledger is in the embedded SQLite file)");
        }
        storage.database = *value;
      }
    }
  }

  std::optional<bool> boolean(const YAML::Node& node, std::string_view what) {
    auto value = scalar(node, what);
    if (!value) return std::nullopt;
    if (*value == "true") return true;
    if (*value == "false") return false;
    error(node, std::string(what) + " must be true or false");
    return std::nullopt;
  }

  void read_log(const YAML::Node& node, Snapshot& snapshot) {
    if (!expect_map(node, "log")) return;
    check_keys(node, "log", {"level"});
    if (auto level = node["level"]) {
      auto value = scalar(level, "log.level");
      if (!value) return;
      if (*value == "debug") snapshot.log_level = log::Level::debug;
      else if (*value == "info") snapshot.log_level = log::Level::info;
      else if (*value == "warn") snapshot.log_level = log::Level::warn;
      else if (*value == "error") snapshot.log_level = log::Level::error;
      else error(level, "log.level must be one of debug, info, warn, error");
    }
  }

  void read_timeouts(const YAML::Node& node, const std::string& where, http::UpstreamTimeouts& timeouts) {
    if (!expect_map(node, where)) return;
    check_keys(node, where, {"connect", "first_byte", "first_token", "idle", "total"});
    if (auto n = node["connect"]) {
      if (auto value = duration(n, where + ".connect")) timeouts.connect = *value;
    }
    if (auto n = node["first_byte"]) {
      if (auto value = duration(n, where + ".first_byte")) timeouts.first_byte = *value;
    }
    if (auto n = node["first_token"]) {
      if (auto value = duration(n, where + ".first_token")) timeouts.first_token = *value;
    }
    if (auto n = node["idle"]) {
      if (auto value = duration(n, where + ".idle")) timeouts.idle = *value;
    }
    if (auto n = node["total"]) {
      if (auto value = duration(n, where + ".total")) timeouts.total = *value;
    }
  }

  static bool valid_name(const std::string& name) {
    return !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
      return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.';
    });
  }

  void read_providers(const YAML::Node& node, Snapshot& snapshot) {
    if (!expect_map(node, "providers")) return;
    for (auto it = node.begin(); it != node.end(); ++it) {
      providers::ProviderSpec spec;
      spec.name = it->first.as<std::string>("");
      YAML::Node body = it->second;  // a copy: it-> yields a temporary
      std::string where = "providers." + spec.name;
      if (!valid_name(spec.name)) {
        error(it->first, "provider name '" + spec.name + "' may contain only letters, digits, '_', '-' and '.'");
        continue;
      }
      if (!body.IsMap()) {
        error(body, where + " must be a mapping with at least 'type'");
        continue;
      }
      provider_lines_[spec.name] = it->first.Mark().line + 1;
      provider_types_.erase(spec.name);
      check_keys(body, where,
                 {"type", "base_url", "api_key", "api_keys", "api_version", "headers", "ca_file", "timeouts"});
      auto type_node = body["type"];
      if (!type_node) {
        error(it->first, where + ": missing 'type' (one of: " + known_types() + ")");
        continue;
      }
      auto type = scalar(type_node, where + ".type");
      if (!type) continue;
      const providers::ProviderTypeInfo* info = providers::find_provider_type(*type);
      if (!info) {
        error(type_node, where + ".type: unknown provider type '" + *type + "' (one of: " + known_types() + ")");
        continue;
      }
      spec.type = *type;
      provider_types_[spec.name] = info;
      if (auto url = body["base_url"]) {
        if (!info->takes_base_url) {
          error(url, where + ": the " + spec.type + " provider takes no base_url");
        } else if (auto text = scalar(url, where + ".base_url")) {
          std::string problem;
          if (http::parse_upstream_url(*text, problem)) {
            spec.base_url = *text;
          } else {
            error(url, where + ".base_url: '" + *text + "' is not a valid URL: " + problem);
          }
        }
      } else if (info->needs_base_url) {
        error(it->first, where + ": missing 'base_url'");
      }
      if (auto key = body["api_key"]) {
        if (auto value = scalar(key, where + ".api_key")) spec.api_key = *value;
      }
      if (auto keys = body["api_keys"]) {
        if (body["api_key"]) error(keys, where + ": give either api_key or api_keys, not both");
        if (!keys.IsSequence() || keys.size() == 0) {
          error(keys, where + ".api_keys must be a non-empty list of keys");
        } else {
          for (std::size_t i = 0; i < keys.size(); ++i) {
            if (auto value = scalar(keys[i], where + ".api_keys[" + std::to_string(i) + "]")) spec.api_keys.push_back(*value);
          }
        }
      }
      if (auto version = body["api_version"]) {
        if (!info->takes_api_version) {
          error(version, where + ".api_version applies only to type " + api_version_types());
        } else if (auto value = scalar(version, where + ".api_version")) {
          spec.api_version = *value;
        }
      }
      if (auto headers = body["headers"]) read_headers(headers, where + ".headers", spec.headers);
      if (auto ca = body["ca_file"]) {
        if (auto value = scalar(ca, where + ".ca_file")) {
          if (!std::ifstream(*value)) {
            error(ca, where + ".ca_file: cannot read '" + *value + "'");
          } else {
            spec.ca_file = *value;
          }
        }
      }
      if (auto timeouts = body["timeouts"]) {
        http::UpstreamTimeouts own = snapshot.timeouts;
        read_timeouts(timeouts, where + ".timeouts", own);
        spec.timeouts = own;
      }
      snapshot.providers.push_back(std::move(spec));
    }
  }

  void read_headers(const YAML::Node& node, const std::string& where, http::HeaderList& headers) {
    if (!expect_map(node, where)) return;
    static const std::set<std::string> reserved = {"host", "content-length", "transfer-encoding", "connection"};
    for (auto it = node.begin(); it != node.end(); ++it) {
      std::string name = it->first.as<std::string>("");
      std::string lower = name;
      std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
      if (reserved.count(lower)) {
        error(it->first, where + ": '" + name + "' is set by the gateway and cannot be configured");
        continue;
      }
      if (auto value = scalar(it->second, where + "." + name)) headers.emplace_back(lower, *value);
    }
  }

  // telemetry: {otlp: {endpoint: http://collector:4318, headers: {...}, sample_ratio: 1.0}}
  void read_telemetry(const YAML::Node& node, Telemetry& telemetry) {
    if (!expect_map(node, "telemetry")) return;
    check_keys(node, "telemetry", {"otlp", "metrics"});
    if (auto metrics = node["metrics"]) {
      if (auto value = boolean(metrics, "telemetry.metrics")) telemetry.metrics = *value;
    }
    YAML::Node otlp = node["otlp"];
    if (!otlp || !expect_map(otlp, "telemetry.otlp")) return;
    check_keys(otlp, "telemetry.otlp", {"endpoint", "headers", "sample_ratio"});
    Telemetry::Otlp settings;
    if (auto endpoint = otlp["endpoint"]) {
      if (auto value = scalar(endpoint, "telemetry.otlp.endpoint")) {
        std::string problem;
        if (!value->starts_with("http://")) {
          error(endpoint, "telemetry.otlp.endpoint must be an http:// URL of an OTLP/HTTP collector (like http://127.0.0.1:4318)");
        } else if (!http::parse_upstream_url(*value, problem)) {
          error(endpoint, "telemetry.otlp.endpoint: " + problem);
        }
        settings.endpoint = *value;
      }
    } else {
      error(otlp, "telemetry.otlp: missing 'endpoint'");
    }
    if (auto headers = otlp["headers"]) read_headers(headers, "telemetry.otlp.headers", settings.headers);
    if (auto ratio = otlp["sample_ratio"]) {
      auto value = scalar(ratio, "telemetry.otlp.sample_ratio");
      double parsed = -1;
      if (value) {
        char* end = nullptr;
        parsed = std::strtod(value->c_str(), &end);
        if (value->empty() || *end != '\0') parsed = -1;
      }
      if (!(parsed >= 0.0 && parsed <= 1.0)) error(ratio, "telemetry.otlp.sample_ratio must be a number from 0 to 1");
      else settings.sample_ratio = parsed;
    }
    telemetry.otlp = std::move(settings);
  }

  void read_models(const YAML::Node& node, Snapshot& snapshot) {
    if (!expect_map(node, "models")) return;
    std::vector<std::pair<std::string, YAML::Node>> fallback_refs;  // checked once every alias is known
    for (auto it = node.begin(); it != node.end(); ++it) {
      routing::ModelAlias alias;
      alias.name = it->first.as<std::string>("");
      std::string where = "models." + alias.name;
      if (alias.name.empty()) {
        error(it->first, "a model alias needs a name");
        continue;
      }
      YAML::Node body = it->second;  // a copy: it-> yields a temporary
      if (!body.IsMap()) {
        error(body, where + " must be a mapping with 'deployments'");
        continue;
      }
      check_keys(body, where,
                 {"strategy", "deployments", "fallbacks", "max_attempts", "retry", "timeouts", "cooldown", "hedge_after"});
      if (auto strategy = body["strategy"]) {
        if (auto name = scalar(strategy, where + ".strategy")) {
          if (auto parsed = routing::parse_strategy(*name)) {
            alias.strategy = *parsed;
          } else {
            error(strategy, where + ".strategy must be one of priority, weighted, least-busy, lowest-latency, lowest-cost");
          }
        }
      }
      http::UpstreamTimeouts alias_timeouts = snapshot.timeouts;
      if (auto timeouts = body["timeouts"]) {
        read_timeouts(timeouts, where + ".timeouts", alias_timeouts);
        alias.timeouts = alias_timeouts;
      }
      if (auto hedge = body["hedge_after"]) {
        if (auto value = duration(hedge, where + ".hedge_after")) alias.retry.hedge_after = *value;
      }
      if (auto attempts = body["max_attempts"]) {
        if (auto value = count(attempts, where + ".max_attempts", 100)) alias.retry.max_attempts = static_cast<int>(*value);
      }
      if (auto retry = body["retry"]; retry && expect_map(retry, where + ".retry")) {
        check_keys(retry, where + ".retry", {"initial_backoff", "max_backoff"});
        if (auto n = retry["initial_backoff"]) {
          if (auto value = duration(n, where + ".retry.initial_backoff")) alias.retry.initial_backoff = *value;
        }
        if (auto n = retry["max_backoff"]) {
          if (auto value = duration(n, where + ".retry.max_backoff")) alias.retry.max_backoff = *value;
        }
      }
      if (auto cooldown = body["cooldown"]; cooldown && expect_map(cooldown, where + ".cooldown")) {
        check_keys(cooldown, where + ".cooldown", {"failures", "window", "duration"});
        alias.cooldown.configured = true;
        if (auto n = cooldown["failures"]) {
          if (auto value = count(n, where + ".cooldown.failures", 1000)) alias.cooldown.failures = static_cast<int>(*value);
        }
        if (auto n = cooldown["window"]) {
          if (auto value = duration(n, where + ".cooldown.window")) alias.cooldown.window = *value;
        }
        if (auto n = cooldown["duration"]) {
          if (auto value = duration(n, where + ".cooldown.duration")) alias.cooldown.duration = *value;
        }
      }
      if (auto fallbacks = body["fallbacks"]) {
        if (!fallbacks.IsSequence()) {
          error(fallbacks, where + ".fallbacks must be a list of model aliases");
        } else {
          for (std::size_t i = 0; i < fallbacks.size(); ++i) {
            if (auto name = scalar(fallbacks[i], where + ".fallbacks")) {
              alias.fallbacks.push_back(*name);
              fallback_refs.emplace_back(*name, fallbacks[i]);
            }
          }
        }
      }
      auto deployments = body["deployments"];
      if (!deployments || !deployments.IsSequence() || deployments.size() == 0) {
        error(deployments ? deployments : it->first, where + ".deployments must be a non-empty list");
        continue;
      }
      for (std::size_t i = 0; i < deployments.size(); ++i) {
        if (auto deployment = read_deployment(deployments[i], where + ".deployments[" + std::to_string(i) + "]",
                                              alias_timeouts)) {
          alias.deployments.push_back(std::move(*deployment));
        }
      }
      snapshot.models.push_back(std::move(alias));
    }
    for (const auto& [name, where] : fallback_refs) {
      bool known = std::any_of(snapshot.models.begin(), snapshot.models.end(),
                               [&](const routing::ModelAlias& alias) { return alias.name == name; });
      if (!known) error(where, "fallback '" + name + "' is not a model alias");
    }
  }

  std::optional<routing::Deployment> read_deployment(const YAML::Node& entry, const std::string& at,
                                                     const http::UpstreamTimeouts& inherited) {
    if (!entry.IsMap()) {
      error(entry, at + " must be a mapping with 'provider' and 'model'");
      return std::nullopt;
    }
    check_keys(entry, at,
               {"provider", "model", "api", "unsupported_params", "weight", "priority", "rpm", "tpm", "timeouts", "price"});
    auto provider = entry["provider"];
    auto model = entry["model"];
    if (!provider) error(entry, at + ": missing 'provider'");
    if (!model) error(entry, at + ": missing 'model'");
    if (!provider || !model) return std::nullopt;
    auto provider_name = scalar(provider, at + ".provider");
    auto model_name = scalar(model, at + ".model");
    if (!provider_name || !model_name) return std::nullopt;
    if (model_name->empty()) {
      error(model, at + ".model must not be empty");
      return std::nullopt;
    }
    if (!provider_lines_.count(*provider_name)) {
      error(provider, at + ": unknown provider '" + *provider_name + "'" + known_providers());
      return std::nullopt;
    }
    routing::Deployment deployment;
    deployment.provider = *provider_name;
    deployment.model = *model_name;
    if (auto api = entry["api"]) read_api(api, at, deployment);
    if (auto policy = entry["unsupported_params"]) {
      auto value = scalar(policy, at + ".unsupported_params");
      if (value == "drop") {
        deployment.unsupported_params = canonical::UnsupportedParams::drop;
      } else if (value && *value != "reject") {
        error(policy, at + ".unsupported_params must be reject or drop");
      }
    }
    if (auto weight = entry["weight"]) {
      if (auto value = count(weight, at + ".weight", 1000000)) deployment.weight = static_cast<double>(*value);
    }
    if (auto priority = entry["priority"]) {
      if (auto value = count(priority, at + ".priority", 1000)) deployment.priority = static_cast<int>(*value);
    }
    if (auto rpm = entry["rpm"]) {
      if (auto value = count(rpm, at + ".rpm", 100000000)) deployment.limits.rpm = static_cast<std::int64_t>(*value);
    }
    if (auto tpm = entry["tpm"]) {
      if (auto value = count(tpm, at + ".tpm", 100000000000)) deployment.limits.tpm = static_cast<std::int64_t>(*value);
    }
    if (auto timeouts = entry["timeouts"]) {
      http::UpstreamTimeouts own = inherited;
      read_timeouts(timeouts, at + ".timeouts", own);
      deployment.timeouts = own;
    }
    if (auto price = entry["price"]) read_price(price, at + ".price", deployment);
    return deployment;
  }

  // `price: {input: 2.50, output: 10.00, cache_read: 1.25, cache_write: 3.75}`: US dollars
  // per million tokens, read as exact decimals (never through a float).
  void read_price(const YAML::Node& node, const std::string& at, routing::Deployment& deployment) {
    if (!node.IsMap()) {
      error(node, at + " must be a mapping with input and output (US dollars per million tokens)");
      return;
    }
    check_keys(node, at, {"input", "output", "cache_read", "cache_write"});
    bool valid = true;
    auto amount = [&](const char* key, bool required) -> std::optional<std::int64_t> {
      YAML::Node value = node[key];
      std::string where = at + "." + key;
      if (!value) {
        if (required) {
          error(node, at + ": missing '" + key + "'");
          valid = false;
        }
        return std::nullopt;
      }
      auto text = scalar(value, where);
      std::optional<std::int64_t> pico = text ? parse_usd_per_million_tokens(*text) : std::nullopt;
      if (!pico) {
        if (text) error(value, where + " must be a plain decimal number of dollars per million tokens (like 2.50), at most six decimals");
        valid = false;
      }
      return pico;
    };
    auto input = amount("input", true);
    auto output = amount("output", true);
    auto cache_read = amount("cache_read", false);
    auto cache_write = amount("cache_write", false);
    if (!valid) return;
    deployment.price = std::make_shared<const pricing::ModelPrice>(
        pricing::configured_price(*input, *output, cache_read, cache_write));
  }

  static std::string api_version_types() {
    std::string out;
    for (const auto& info : providers::provider_types()) {
      if (!info.takes_api_version) continue;
      if (!out.empty()) out += ", ";
      out += info.type;
    }
    return out;
  }

  std::string known_types() const {
    std::string out;
    for (const auto& info : providers::provider_types()) {
      if (!out.empty()) out += ", ";
      out += info.type;
    }
    return out;
  }

  std::string known_providers() const {
    if (provider_lines_.empty()) return " (no providers are defined)";
    std::string out = " (defined: ";
    bool first = true;
    for (const auto& [name, line] : provider_lines_) {
      if (!first) out += ", ";
      out += name;
      first = false;
    }
    return out + ")";
  }

  std::string source_;
  const EnvLookup& env_;
  std::vector<std::string> errors_;
  std::map<std::string, int> provider_lines_;
  std::map<std::string, const providers::ProviderTypeInfo*> provider_types_;

  // `api: responses` sends a deployment's requests through the OpenAI Responses API, for
  // models OpenAI serves only there; `api: chat` (the default) through the provider's own.
  void read_api(const YAML::Node& node, const std::string& at, routing::Deployment& deployment) {
    auto value = scalar(node, at + ".api");
    if (!value) return;
    if (*value != "chat" && *value != "responses") {
      error(node, at + ".api must be chat or responses");
      return;
    }
    auto type = provider_types_.find(deployment.provider);
    if (type == provider_types_.end()) return;  // the provider's own error says why
    std::optional<Dialect> api = providers::api_dialect(*type->second, *value);
    if (!api) {
      error(node, at + ".api: providers of type " + std::string(type->second->type) + " do not offer the " + *value + " API");
      return;
    }
    if (*value != "chat") deployment.api = api;
  }
  std::vector<std::string> env_references_;
};

}  // namespace

EnvLookup process_environment() {
  return [](std::string_view name) -> std::optional<std::string> {
    const char* value = std::getenv(std::string(name).c_str());
    if (!value) return std::nullopt;
    return std::string(value);
  };
}

LoadResult load_config_text(std::string_view text, const std::string& source_name, const EnvLookup& env) {
  std::vector<std::string> env_references;
  std::string protected_text = protect_env_references(text, env_references);
  YAML::Node root;
  try {
    root = YAML::Load(protected_text);
  } catch (const YAML::Exception& e) {
    LoadResult result;
    result.errors.push_back(source_name + ":" + std::to_string(e.mark.line + 1) + ": invalid YAML: " + e.msg);
    return result;
  }
  return Compiler(source_name, env, std::move(env_references)).compile(root);
}

LoadResult load_config_file(const std::string& path, const EnvLookup& env) {
  std::ifstream file(path);
  if (!file) {
    LoadResult result;
    result.errors.push_back(path + ": cannot open the configuration file");
    return result;
  }
  std::stringstream text;
  text << file.rdbuf();
  LoadResult result = load_config_text(text.str(), path, env);
  // A relative storage.dir is the config file's neighbour, whatever the working directory.
  if (result.snapshot) {
    std::filesystem::path dir = result.snapshot->storage.dir;
    if (!dir.empty() && dir.is_relative()) {
      result.snapshot->storage.dir = (std::filesystem::path(path).parent_path() / dir).string();
    }
  }
  return result;
}

std::string data_directory(const Snapshot& snapshot, const EnvLookup& env, const std::string& config_path) {
  if (!snapshot.storage.dir.empty()) return snapshot.storage.dir;
  if (auto dir = env("SWITCHYARD_DATA_DIR"); dir && !dir->empty()) return *dir;
  if (!config_path.empty()) {
    std::string parent = std::filesystem::path(config_path).parent_path().string();
    return parent.empty() ? "." : parent;
  }
  return ".";
}

Snapshot embedded_default(const EnvLookup& env) {
  Snapshot snapshot;
  snapshot.source = "embedded default";
  if (auto key = env("SWITCHYARD_MASTER_KEY")) snapshot.master_key = *key;
  providers::ProviderSpec mock;
  mock.name = "mock";
  mock.type = "mock";
  snapshot.providers.push_back(std::move(mock));
  routing::ModelAlias mock_alias;
  mock_alias.name = "mock";
  routing::Deployment mock_deployment;
  mock_deployment.provider = "mock";
  mock_deployment.model = "mock-1";
  mock_alias.deployments.push_back(std::move(mock_deployment));
  snapshot.models.push_back(std::move(mock_alias));
  for (const providers::ProviderTypeInfo& info : providers::provider_types()) {
    if (info.default_key_env.empty()) continue;
    auto key = env(info.default_key_env);
    if (!key || key->empty()) continue;
    providers::ProviderSpec spec;
    spec.name = std::string(info.type);  // so anthropic/claude-sonnet-4-5 names a model
    spec.type = std::string(info.type);
    spec.api_key = *key;
    snapshot.providers.push_back(std::move(spec));
  }
  return snapshot;
}

std::optional<std::string> exposure_problem(const Snapshot& snapshot) {
  if (!snapshot.master_key.empty() || http::is_loopback_host(snapshot.server.listen.host)) return std::nullopt;
  return "refusing to listen on " + snapshot.server.listen.host +
         " without auth.master_key: anyone who can reach the port could spend your provider keys. "
         "Set auth.master_key (e.g. master_key: ${SWITCHYARD_MASTER_KEY}) or listen on 127.0.0.1";
}

}  // namespace switchyard::config
