// Human-friendly durations ("250ms", "5s", "2m", "1h") and sizes ("512KiB", "32MiB", "100")
// as written in configuration files.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace switchyard {

using Millis = std::chrono::milliseconds;

// A bare number is seconds. Returns nullopt for anything malformed or negative.
std::optional<Millis> parse_duration(std::string_view text);

// The shortest exact spelling parse_duration reads back: "250ms", "30s", "5m", "1h".
std::string format_duration(Millis duration);

// A bare number is bytes; KB/MB/GB are powers of 1000, KiB/MiB/GiB powers of 1024.
std::optional<std::uint64_t> parse_size(std::string_view text);

}  // namespace switchyard
