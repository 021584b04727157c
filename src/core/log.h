// Structured log lines on stderr: "2026-11-24T10:00:00.123Z info message key=value ...".
// A line is queued and written by a background thread, a burst of lines in one writev(2), so
// logging never blocks the thread that logs (stderr may be a slow pipe): lines never
// interleave and keep their order. When the queue is full (a stalled reader), lines are
// dropped and counted (dropped_lines), never waited for. Call flush() before exiting.
// Never pass secrets (keys, authorization headers, request bodies) as fields.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>

namespace switchyard::log {

enum class Level { debug, info, warn, error };

struct Field {
  Field(std::string_view k, std::string_view v) : key(k), value(v) {}
  Field(std::string_view k, const char* v) : key(k), value(v) {}
  Field(std::string_view k, const std::string& v) : key(k), value(v) {}
  Field(std::string_view k, std::int64_t v) : key(k), value(std::to_string(v)) {}
  Field(std::string_view k, int v) : key(k), value(std::to_string(v)) {}
  Field(std::string_view k, unsigned v) : key(k), value(std::to_string(v)) {}
  Field(std::string_view k, std::uint64_t v) : key(k), value(std::to_string(v)) {}
  Field(std::string_view k, bool v) : key(k), value(v ? "true" : "false") {}
  std::string_view key;
  std::string value;
};

void set_min_level(Level level);

// Whether a line at `level` would be written: lets callers skip building one that would not.
bool enabled(Level level);

void write(Level level, std::string_view message, std::initializer_list<Field> fields = {});

// Waits until every line queued so far is written, two seconds at most.
void flush();

// Lines dropped because the queue was full, since the start.
std::uint64_t dropped_lines();

inline void info(std::string_view message, std::initializer_list<Field> fields = {}) {
  write(Level::info, message, fields);
}
inline void warn(std::string_view message, std::initializer_list<Field> fields = {}) {
  write(Level::warn, message, fields);
}
inline void error(std::string_view message, std::initializer_list<Field> fields = {}) {
  write(Level::error, message, fields);
}

// Appends key=value, quoting the value when it has spaces, quotes or control characters.
void append_field(std::string& line, std::string_view key, std::string_view value);

}  // namespace switchyard::log
