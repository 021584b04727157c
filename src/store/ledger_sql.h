// What the SQLite and PostgreSQL ledger stores say alike: the ledger's columns in the order
// rows are written and read back, the expression a usage report groups by, and a row read
// back from a result's cells.
#pragma once

#include <string>
#include <string_view>

#include "ledger/ledger_store.h"

namespace switchyard::store {

// "user" quoted: a reserved word in PostgreSQL (SQLite takes it quoted too).
inline constexpr std::string_view kLedgerColumns =
    "request_id, started_at, key_id, team_id, dialect, operation, model, provider, upstream_model, attempts, hedged,"
    " stream, status, error_kind, input_tokens, output_tokens, cache_read_tokens, cache_write_tokens,"
    " reasoning_tokens, cost_pico, usage_source, latency_us, ttft_us, overhead_us, \"user\"";

// The SQL expression of a usage report's group: a column, or the start of the row's day or
// hour in microseconds.
std::string usage_group_expression(ledger::GroupBy group_by);

// A row from the cells of one result row in kLedgerColumns order. `Cells` answers text(i)
// (empty for NULL), integer(i), flag(i) and is_null(i).
template <class Cells>
ledger::LedgerRow read_ledger_row(const Cells& cells) {
  ledger::LedgerRow row;
  row.request_id = cells.text(0);
  row.started_at_us = cells.integer(1);
  row.key_id = cells.text(2);
  row.team_id = cells.text(3);
  row.dialect = cells.text(4);
  row.operation = cells.text(5);
  row.model = cells.text(6);
  row.provider = cells.text(7);
  row.upstream_model = cells.text(8);
  row.attempts = static_cast<int>(cells.integer(9));
  row.hedged = cells.flag(10);
  row.stream = cells.flag(11);
  row.status = static_cast<int>(cells.integer(12));
  row.error_kind = cells.text(13);
  row.input_tokens = cells.integer(14);
  row.output_tokens = cells.integer(15);
  row.cache_read_tokens = cells.integer(16);
  row.cache_write_tokens = cells.integer(17);
  row.reasoning_tokens = cells.integer(18);
  if (!cells.is_null(19)) row.cost_pico = cells.integer(19);
  row.usage_source = cells.text(20);
  row.latency_us = cells.integer(21);
  if (!cells.is_null(22)) row.ttft_us = cells.integer(22);
  row.overhead_us = cells.integer(23);
  row.user = cells.text(24);
  return row;
}

}  // namespace switchyard::store
