// One row of the usage ledger: what one request did and cost, in the names the usage API
// shows. Built from the settled outcome; no prompt or answer text, no keys.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/outcome.h"

namespace switchyard::ledger {

struct LedgerRow {
  std::string request_id;
  std::int64_t started_at_us = 0;  // microseconds since the epoch, UTC
  std::string key_id;              // empty: null (no virtual key)
  std::string team_id;
  std::string dialect;             // the client's
  std::string operation;
  std::string model;               // as requested
  std::string provider;            // the configured provider that served it (or was last tried)
  std::string upstream_model;
  int attempts = 0;
  bool hedged = false;
  bool stream = false;
  int status = 0;                  // HTTP, as the client got it (0: none was sent)
  std::string error_kind;          // empty: null (no error)
  std::int64_t input_tokens = 0;   // all input: cache reads and writes are parts of it
  std::int64_t output_tokens = 0;  // all output: reasoning is part of it
  std::int64_t cache_read_tokens = 0;
  std::int64_t cache_write_tokens = 0;
  std::int64_t reasoning_tokens = 0;
  std::optional<std::int64_t> cost_pico;  // null: the price is unknown
  std::string usage_source;        // "reported", "estimated"; empty (null): no usage at all
  std::int64_t latency_us = 0;
  std::optional<std::int64_t> ttft_us;
  std::int64_t overhead_us = 0;
  std::string user;                // the client's end-user tag; empty: null

  friend bool operator==(const LedgerRow&, const LedgerRow&) = default;
};

// Whether a request gets a row: every request of an authenticated caller to the model API.
// Health probes, the admin API and requests refused for their credential (401) do not.
bool belongs_in_ledger(const Outcome& outcome);
LedgerRow ledger_row(const Outcome& outcome);

// The row as the usage API shows it, one JSON object: cost_usd a decimal string with every
// digit, started_at RFC 3339, latency_ms and ttft_ms with microsecond precision.
std::string row_json(const LedgerRow& row);
// The inverse of row_json (for the spool): nullopt for anything else.
std::optional<LedgerRow> parse_row_json(std::string_view text);

// One CSV field (RFC 4180 quoting; text a spreadsheet would run as a formula gets a leading ').
void append_csv_field(std::string& out, std::string_view value);

// The rows as CSV: the header line, then one line per row (RFC 4180 quoting).
std::string csv_header();
std::string row_csv(const LedgerRow& row);

// "2026-12-07T17:55:31.123456Z".
std::string rfc3339(std::int64_t micros_since_epoch);
// An RFC 3339 time ("2026-12-07T17:55:31Z", with optional fraction and offset) as
// microseconds since the epoch; nullopt if it is not one.
std::optional<std::int64_t> parse_rfc3339(std::string_view text);

}  // namespace switchyard::ledger
