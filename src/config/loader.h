// YAML configuration -> Snapshot. Every problem is reported as "FILE:LINE: message",
// all of them at once, so `switchyard --check-config` shows the whole list in one run.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/snapshot.h"

namespace switchyard::config {

// Looks up an environment variable; injectable so tests need not touch the real environment.
using EnvLookup = std::function<std::optional<std::string>(std::string_view name)>;
EnvLookup process_environment();

struct LoadResult {
  std::optional<Snapshot> snapshot;
  std::vector<std::string> errors;  // each "FILE:LINE: message"
};

LoadResult load_config_file(const std::string& path, const EnvLookup& env);
LoadResult load_config_text(std::string_view text, const std::string& source_name, const EnvLookup& env);

// The configuration used without --config: 127.0.0.1:4000, the built-in mock provider,
// and a provider for each of OPENAI_API_KEY, ANTHROPIC_API_KEY, GEMINI_API_KEY that is set.
Snapshot embedded_default(const EnvLookup& env);

// Where the embedded database lives: storage.dir, else $SWITCHYARD_DATA_DIR, else the
// directory of the config file (`config_path`, empty for the embedded default), else ".".
std::string data_directory(const Snapshot& snapshot, const EnvLookup& env, const std::string& config_path);

// Serving beyond loopback without a master key would open the providers' keys to anyone
// who can reach the port; returns why the snapshot must not be served, if so.
std::optional<std::string> exposure_problem(const Snapshot& snapshot);

}  // namespace switchyard::config
