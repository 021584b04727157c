// The compiled configuration as JSON, in the shape of the YAML it came from, with every
// secret redacted (the master key, provider keys, header values): what GET /admin/config
// and the dashboard show.
#pragma once

#include <string>

#include "config/snapshot.h"

namespace switchyard::config {

inline constexpr std::string_view kRedacted = "[redacted]";

std::string render_redacted(const Snapshot& snapshot);

}  // namespace switchyard::config
