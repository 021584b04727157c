// switchyard: flags -> configuration -> server. Nothing else lives here.
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <optional>
#include <iostream>
#include <string>
#include <string_view>

#include "config/loader.h"
#include "config/render.h"
#include "core/log.h"
#include "http/server.h"
#include "server/config_reloader.h"
#include "server/gateway.h"
#include "server/runtime.h"
#include "ledger/ledger.h"
#include "policy/access_control.h"
#include "policy/limit_settlement.h"
#include "policy/key_sync.h"
#include "policy/local_limiter.h"
#include "policy/redis_limiter.h"
#include "core/redact.h"
#include "store/postgres_ledger_store.h"
#include "store/postgres_key_store.h"
#include "store/sqlite_key_store.h"
#include "store/sqlite_ledger_store.h"
#include "store/sqlite_response_store.h"
#include "telemetry/access_log.h"
#include "telemetry/otlp_exporter.h"
#include "telemetry/request_metrics.h"
#ifdef SWITCHYARD_TEST_HOOKS
#include "telemetry/outcome_file.h"
#endif

namespace {

constexpr std::string_view kUsage = R"(Switchyard, an AI model gateway.

Usage:
  switchyard [--config FILE [--no-config-watch]] [--listen HOST:PORT]
  switchyard --check-config FILE

Options:
  --config FILE        serve with this YAML configuration (see docs/configuration.md),
                       reloaded on SIGHUP, on a change to the file and on
                       POST /admin/reload; without it, the embedded default:
                       127.0.0.1:4000, the built-in mock provider, and a provider for
                       each of OPENAI_API_KEY, ANTHROPIC_API_KEY and GEMINI_API_KEY that is set
  --no-config-watch    reload FILE on SIGHUP and POST /admin/reload only, not when
                       it changes
  --listen HOST:PORT   override server.listen
  --check-config FILE  validate FILE, print every problem as FILE:LINE: message,
                       exit 0 if it is valid and 1 if not
  --help               this text
  --version            the version
)";

struct Flags {
  std::string config;
  std::string check_config;
  std::string listen;
  bool watch_config = true;
};

int usage_error(const std::string& message) {
  std::cerr << "switchyard: " << message << "\n\n" << kUsage;
  return 2;
}

int check_config(const std::string& path) {
  auto result = switchyard::config::load_config_file(path, switchyard::config::process_environment());
  if (!result.snapshot) {
    for (const auto& error : result.errors) std::cerr << error << '\n';
    return 1;
  }
  auto runtime = switchyard::server::build_runtime(*result.snapshot);
  if (!runtime) {
    std::cerr << path << ": " << runtime.error().message << '\n';
    return 1;
  }
  std::cout << path << ": OK (providers: " << result.snapshot->providers.size()
            << ", model aliases: " << result.snapshot->models.size() << ")\n";
  return 0;
}

void announce(const switchyard::config::Snapshot& snapshot, std::uint16_t port) {
  namespace log = switchyard::log;
  std::string providers;
  for (const auto& provider : snapshot.providers) {
    if (!providers.empty()) providers += ",";
    providers += provider.name;
  }
  log::info("configuration loaded", {{"source", snapshot.source}, {"providers", providers}});
  if (snapshot.master_key.empty()) {
    log::warn("no master key is set: serving without authentication, on loopback only");
  }
  std::string host = snapshot.server.listen.host;
  if (host.find(':') != std::string::npos) host = "[" + host + "]";
  log::info("listening on http://" + host + ":" + std::to_string(port));
}

// The sinks every request's outcome goes to. Test builds add a file of outcomes when
// SWITCHYARD_OUTCOME_FILE names one, for the tests that count them.
switchyard::server::SinkSet make_sinks(std::shared_ptr<switchyard::ledger::Ledger> ledger,
                                       std::shared_ptr<switchyard::telemetry::RequestMetrics> metrics,
                                       std::shared_ptr<switchyard::telemetry::OtlpExporter> traces,
                                       switchyard::policy::Limiter& limiter) {
  switchyard::server::SinkSet sinks;
  // First: a parallel slot comes back before anything else is done with the outcome.
  sinks.add(std::make_shared<switchyard::policy::LimitSettlement>(limiter));
  sinks.add(std::make_shared<switchyard::telemetry::AccessLogSink>());
  if (metrics) sinks.add(std::move(metrics));
  if (traces) sinks.add(std::move(traces));
  if (ledger) sinks.add(std::move(ledger));
#ifdef SWITCHYARD_TEST_HOOKS
  if (const char* path = std::getenv("SWITCHYARD_OUTCOME_FILE")) {
    sinks.add(std::make_shared<switchyard::telemetry::OutcomeFileSink>(path));
  }
#endif
  return sinks;
}

// The OTLP trace exporter when telemetry.otlp is configured; null otherwise.
std::shared_ptr<switchyard::telemetry::OtlpExporter> make_trace_exporter(const switchyard::config::Telemetry& telemetry) {
  if (!telemetry.otlp) return nullptr;
  switchyard::telemetry::OtlpSettings settings;
  settings.endpoint = telemetry.otlp->endpoint;
  for (const auto& [name, value] : telemetry.otlp->headers) settings.headers.emplace_back(name, value);
  settings.service_version = SWITCHYARD_VERSION;
  switchyard::log::info("exporting traces over OTLP/HTTP",
                        {{"endpoint", telemetry.otlp->endpoint}, {"sample_ratio", std::to_string(telemetry.otlp->sample_ratio)}});
  return std::make_shared<switchyard::telemetry::OtlpExporter>(std::move(settings));
}

// What each budgeted key and team spent in its current period before this process started:
// the sum of its ledger rows, so spend and the ledger agree from the first request on.
void seed_spend(switchyard::ledger::Ledger& ledger, const switchyard::policy::KeyDirectory& keys,
                switchyard::policy::Limiter& limiter) {
  using namespace switchyard;
  ledger.flush();
  std::shared_ptr<const policy::KeyTable> table = keys.table();
  auto now = std::chrono::system_clock::now();
  std::int64_t now_seconds = std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count();
  auto seed = [&](const std::string& scope, const policy::Limits& limits, const ledger::SpendByHolder& spent,
                  const std::string& id) {
    if (!limits.budget) return;
    auto found = spent.find(id);
    if (found != spent.end()) limiter.seed_spend(scope, policy::period_start(limits.budget->period, now_seconds), found->second);
  };
  for (policy::BudgetPeriod period : {policy::BudgetPeriod::day, policy::BudgetPeriod::week, policy::BudgetPeriod::month,
                                      policy::BudgetPeriod::total}) {
    std::int64_t since_us = policy::period_start(period, now_seconds) * 1'000'000;
    auto by_key = ledger.spend_since(since_us, false);
    auto by_team = ledger.spend_since(since_us, true);
    if (!by_key || !by_team) {
      log::warn("the spend of budgeted keys could not be read from the ledger; it counts from zero");
      return;
    }
    for (const auto& [id, entry] : table->keys) {
      if (entry->key.limits.budget && entry->key.limits.budget->period == period) {
        seed("key:" + id, entry->key.limits, by_key.value(), id);
      }
    }
    for (const auto& [id, team] : table->teams) {
      if (team->limits.budget && team->limits.budget->period == period) seed("team:" + id, team->limits, by_team.value(), id);
    }
  }
}

// Virtual keys in PostgreSQL when storage.database names one (replicas share them), else in
// the embedded SQLite file.
switchyard::Result<std::shared_ptr<switchyard::store::KeyStore>> open_key_store(const std::string& dir,
                                                                               const switchyard::config::Storage& storage) {
  namespace store = switchyard::store;
  if (store::is_postgres_url(storage.database)) {
    return std::shared_ptr<store::KeyStore>(std::make_shared<store::PostgresKeyStore>(storage.database));
  }
  auto sqlite = store::SqliteKeyStore::open((std::filesystem::path(dir) / "switchyard.db").string());
  if (!sqlite) return sqlite.take_error();
  return std::shared_ptr<store::KeyStore>(std::move(sqlite.value()));
}

switchyard::Status make_data_directory(const std::string& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) {
    return switchyard::make_error(switchyard::ErrorKind::internal,
                                  "cannot create the data directory " + dir + ": " + ec.message(), "store_unavailable");
  }
  return switchyard::Done{};
}

// The usage ledger on PostgreSQL when storage.database names one, else on the embedded
// database; its spool in the data directory either way. Null when it is off.
switchyard::Result<std::shared_ptr<switchyard::ledger::Ledger>> open_ledger(const std::string& dir,
                                                                           const switchyard::config::Storage& storage) {
  namespace store = switchyard::store;
  if (!storage.ledger) return std::shared_ptr<switchyard::ledger::Ledger>();
  std::shared_ptr<switchyard::ledger::LedgerStore> ledger_store;
  if (!storage.database.empty()) {
    ledger_store = std::make_shared<store::PostgresLedgerStore>(storage.database);
    switchyard::log::info("usage ledger in PostgreSQL", {{"database", switchyard::redact_url_password(storage.database)}});
  } else {
    auto sqlite = store::SqliteLedgerStore::open((std::filesystem::path(dir) / "switchyard.db").string());
    if (!sqlite) return sqlite.take_error();
    ledger_store = std::move(sqlite.value());
  }
  return std::make_shared<switchyard::ledger::Ledger>(std::move(ledger_store),
                                                      (std::filesystem::path(dir) / "ledger.spool").string());
}

}  // namespace

int main(int argc, char** argv) {
  namespace config = switchyard::config;
  // Log lines are written by a background thread: whatever is queued goes out before exit.
  std::atexit([] { switchyard::log::flush(); });
  // SIGHUP reloads the configuration file (once the reloader listens for it); it must never
  // stop the process, with or without a file to reload.
  std::signal(SIGHUP, SIG_IGN);
  Flags flags;
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    auto value = [&](std::string& into) {
      if (i + 1 >= argc) return false;
      into = argv[++i];
      return true;
    };
    if (arg == "--help" || arg == "-h") {
      std::cout << kUsage;
      return 0;
    } else if (arg == "--version") {
      std::cout << "switchyard " << SWITCHYARD_VERSION << '\n';
      return 0;
    } else if (arg == "--config") {
      if (!value(flags.config)) return usage_error("--config needs a file");
    } else if (arg == "--check-config") {
      if (!value(flags.check_config)) return usage_error("--check-config needs a file");
    } else if (arg == "--no-config-watch") {
      flags.watch_config = false;
    } else if (arg == "--listen") {
      if (!value(flags.listen)) return usage_error("--listen needs HOST:PORT");
    } else {
      return usage_error("unknown argument '" + std::string(arg) + "'");
    }
  }
  if (!flags.check_config.empty()) return check_config(flags.check_config);

  namespace server = switchyard::server;
  auto env = config::process_environment();
  config::Snapshot snapshot;
  if (flags.config.empty()) {
    snapshot = config::embedded_default(env);
  } else {
    auto loaded = config::load_config_file(flags.config, env);
    if (!loaded.snapshot) {
      for (const auto& error : loaded.errors) std::cerr << error << '\n';
      return 1;
    }
    snapshot = std::move(*loaded.snapshot);
  }
  std::optional<switchyard::http::ListenAddress> listen_override;
  if (!flags.listen.empty()) {
    std::string problem;
    listen_override = switchyard::http::parse_listen_address(flags.listen, problem);
    if (!listen_override) return usage_error("--listen " + flags.listen + ": " + problem);
    snapshot.server.listen = *listen_override;
  }
  if (auto problem = config::exposure_problem(snapshot)) {
    std::cerr << "switchyard: " << *problem << '\n';
    return 1;
  }
  switchyard::log::set_min_level(snapshot.log_level);

  // What is learned while serving outlives every configuration; the configuration in force
  // is replaced whole by a reload.
  auto live = std::make_shared<switchyard::routing::LiveState>();
  server::ActiveConfig active;
  std::unique_ptr<server::ConfigReloader> reloader;
  // Virtual keys: the stored ones are read below, once the data directory is known; the
  // file's join (and are replaced) with every configuration installed.
  switchyard::policy::KeyDirectory keys(nullptr);
  if (flags.config.empty()) {
    keys.set_config_keys(snapshot.keys);
    auto runtime = server::build_runtime(snapshot, live);
    if (!runtime) {
      std::cerr << "switchyard: " << runtime.error().message << '\n';
      return 1;
    }
    active.install(std::move(runtime.value()),
                   server::describe_config(snapshot, config::render_redacted(snapshot), server::ReloadTrigger::start));
  } else {
    reloader = std::make_unique<server::ConfigReloader>(
        server::ConfigReloader::Options{flags.config, env, listen_override, flags.watch_config,
                                        [&keys](std::vector<switchyard::policy::VirtualKey> declared) {
                                          keys.set_config_keys(std::move(declared));
                                        }},
        snapshot, active, live);
    server::ReloadResult initial = reloader->load_initial();
    if (!initial.ok) {
      for (const auto& error : initial.errors) std::cerr << "switchyard: " << error << '\n';
      return 1;
    }
  }
  // The embedded database: opened once, before serving; a reload does not move it.
  std::string data_dir = config::data_directory(snapshot, env, flags.config);
  std::unique_ptr<switchyard::store::SqliteResponseStore> responses;
  std::shared_ptr<switchyard::ledger::Ledger> ledger;
  {
    auto made = make_data_directory(data_dir);
    auto opened = made ? switchyard::store::SqliteResponseStore::open((std::filesystem::path(data_dir) / "switchyard.db").string())
                       : made.take_error();
    if (!opened) {
      std::cerr << "switchyard: " << opened.error().message << '\n';
      return 1;
    }
    responses = std::move(opened.value());
    auto opened_ledger = open_ledger(data_dir, snapshot.storage);
    if (!opened_ledger) {
      std::cerr << "switchyard: " << opened_ledger.error().message << '\n';
      return 1;
    }
    ledger = std::move(opened_ledger.value());
    auto key_store = open_key_store(data_dir, snapshot.storage);
    if (!key_store) {
      std::cerr << "switchyard: " << key_store.error().message << '\n';
      return 1;
    }
    keys.use_store(std::move(key_store.value()));
    if (auto loaded = keys.load_now(); !loaded) {
      std::cerr << "switchyard: cannot read the virtual keys: " << loaded.error().message << '\n';
      return 1;
    }
  }
  // Limits: shared through Redis when replicas run (storage.redis), else this process's own.
  std::unique_ptr<switchyard::policy::Limiter> limiter;
  std::unique_ptr<switchyard::policy::KeySync> key_sync;
  switchyard::policy::RedisLimiter* redis_limiter = nullptr;
  if (!snapshot.storage.redis.empty()) {
    std::string problem;
    auto address = switchyard::store::parse_redis_url(snapshot.storage.redis, problem);
    switchyard::policy::RedisLimiterOptions options;
    options.address = *address;  // checked by the config compiler
    options.lease_ttl = snapshot.limits.lease_ttl;
    options.on_failure = snapshot.limits.fail_open ? switchyard::policy::RedisFailure::fail_open
                                                   : switchyard::policy::RedisFailure::fail_closed;
    auto shared = std::make_unique<switchyard::policy::RedisLimiter>(options);
    redis_limiter = shared.get();
    limiter = std::move(shared);
    key_sync = std::make_unique<switchyard::policy::KeySync>(keys, *address);
    keys.on_change([sync = key_sync.get()] { sync->changed(); });
    switchyard::log::info("limits shared through redis", {{"redis", switchyard::redact_url_password(snapshot.storage.redis)},
                                                          {"on_failure", snapshot.limits.fail_open ? "fail_open" : "fail_closed"}});
  } else {
    limiter = std::make_unique<switchyard::policy::LocalLimiter>();
  }
  if (ledger) seed_spend(*ledger, keys, *limiter);
  switchyard::policy::AccessControl access(keys, *limiter, {snapshot.limits.default_max_tokens});
  access.redis = redis_limiter ? &redis_limiter->counters() : nullptr;
  {
    auto metrics = snapshot.telemetry.metrics ? std::make_shared<switchyard::telemetry::RequestMetrics>() : nullptr;
    auto traces = make_trace_exporter(snapshot.telemetry);
    server::Gateway gateway(active, make_sinks(ledger, metrics, traces, *limiter),
                            {reloader.get(), responses.get(), ledger.get(), metrics.get(),
                             snapshot.telemetry.otlp ? std::optional(snapshot.telemetry.otlp->sample_ratio) : std::nullopt,
                             traces.get(), &access});
    switchyard::http::Server listener(snapshot.server, gateway);
    if (auto problem = listener.bind()) {
      std::cerr << "switchyard: " << *problem << '\n';
      return 1;
    }
    if (reloader) reloader->start();
    announce(snapshot, listener.bound_port());
    listener.run();
    // Before the listener and the gateway: a request still waiting on a reload settles into
    // the gateway's sinks.
    reloader.reset();
  }
  // Every request has settled (the listener is gone): what the ledger holds goes to the
  // database (or the spool) before the process ends. A second SIGTERM or Ctrl-C must not cut
  // that short (the listener's signal handling went with it; a supervisor that means it
  // sends SIGKILL).
  std::signal(SIGTERM, SIG_IGN);
  std::signal(SIGINT, SIG_IGN);
  if (ledger) {
    ledger->close();
    switchyard::log::info("usage ledger drained", {{"rows_written", static_cast<std::int64_t>(ledger->counters().rows_written.load())},
                                                    {"rows_spooled", static_cast<std::int64_t>(ledger->counters().rows_spooled.load())}});
  }
  switchyard::log::info("stopped");
  return 0;
}
