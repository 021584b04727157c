// A ledger row reads back as it was written (the spool relies on it), prints times and
// money exactly, and quotes CSV so no field can break a line or run as a formula.
#include "ledger/ledger_row.h"

#include <gtest/gtest.h>

namespace switchyard::ledger {
namespace {

LedgerRow full_row() {
  LedgerRow row;
  row.request_id = "req-1";
  row.started_at_us = 1'796'666'721'477'498;
  row.key_id = "key_1";
  row.team_id = "team_1";
  row.dialect = "anthropic";
  row.operation = "generate";
  row.model = "fast";
  row.provider = "ant";
  row.upstream_model = "claude-sonnet-4-5";
  row.attempts = 2;
  row.hedged = true;
  row.stream = true;
  row.status = 200;
  row.input_tokens = 1000;
  row.output_tokens = 200;
  row.cache_read_tokens = 500;
  row.cache_write_tokens = 400;
  row.reasoning_tokens = 50;
  row.cost_pico = 4'950'000'000;
  row.usage_source = "reported";
  row.latency_us = 12'345;
  row.ttft_us = 1'001;
  row.overhead_us = 87;
  row.user = "user \"42\", ok";
  return row;
}

TEST(LedgerRow, JsonReadsBackExactly) {
  LedgerRow row = full_row();
  std::string json = row_json(row);
  EXPECT_NE(json.find(R"("cost_usd":"0.004950000000")"), std::string::npos) << json;
  EXPECT_NE(json.find(R"("started_at":"2026-12-07T18:05:21.477498Z")"), std::string::npos) << json;
  EXPECT_NE(json.find(R"("latency_ms":12.345,"ttft_ms":1.001)"), std::string::npos) << json;
  EXPECT_EQ(parse_row_json(json), row);

  LedgerRow sparse;
  sparse.request_id = "req-2";
  sparse.dialect = "openai";
  sparse.operation = "generate";
  sparse.model = "unknown";
  sparse.status = 404;
  sparse.error_kind = "not_found";
  std::string sparse_json = row_json(sparse);
  EXPECT_NE(sparse_json.find(R"("key_id":null)"), std::string::npos);
  EXPECT_NE(sparse_json.find(R"("cost_usd":null)"), std::string::npos);
  EXPECT_NE(sparse_json.find(R"("ttft_ms":null)"), std::string::npos);
  EXPECT_EQ(parse_row_json(sparse_json), sparse);
}

TEST(LedgerRow, RefusesWhatIsNotARow) {
  EXPECT_FALSE(parse_row_json(""));
  EXPECT_FALSE(parse_row_json(R"({"request_id":"x"})"));
  std::string json = row_json(full_row());
  EXPECT_FALSE(parse_row_json(json.substr(0, json.size() / 2)));  // a line cut short
}

TEST(LedgerRow, CsvQuotesWhatNeedsIt) {
  LedgerRow row = full_row();
  row.model = "=HYPERLINK(\"x\")";
  std::string line = row_csv(row);
  EXPECT_TRUE(line.ends_with("\r\n"));
  EXPECT_NE(line.find(R"x(,"'=HYPERLINK(""x"")",)x"), std::string::npos) << line;
  EXPECT_NE(line.find(R"(,"user ""42"", ok")"), std::string::npos) << line;
  EXPECT_NE(line.find(",0.004950000000,reported,12.345,1.001,87,"), std::string::npos) << line;
  // As many fields as the header names.
  auto fields = [](std::string_view text) {
    int count = 1;
    bool quoted = false;
    for (char c : text) {
      if (c == '"') quoted = !quoted;
      if (c == ',' && !quoted) ++count;
    }
    return count;
  };
  EXPECT_EQ(fields(line), fields(csv_header()));
}

TEST(Rfc3339, PrintsAndReadsTimes) {
  EXPECT_EQ(rfc3339(0), "1970-01-01T00:00:00.000000Z");
  EXPECT_EQ(parse_rfc3339("1970-01-01T00:00:00Z"), 0);
  EXPECT_EQ(parse_rfc3339("2026-12-07T18:05:21.477498Z"), 1'796'666'721'477'498);
  EXPECT_EQ(parse_rfc3339("2026-12-07T19:05:21.477498+01:00"), 1'796'666'721'477'498);
  EXPECT_EQ(parse_rfc3339("2026-12-07T18:05:21.4774981234Z"), 1'796'666'721'477'498);  // finer than µs: cut
  EXPECT_EQ(parse_rfc3339("2026-12-07"), 1'796'601'600'000'000);
  for (const char* bad : {"", "2026-13-01", "2026-02-30T00:00:00Z", "2026-12-07T24:00:00Z", "2026-12-07T10:00:00",
                          "2026-12-07T10:00:00.Z", "yesterday", "2026-12-07T10:00:00+1:00"}) {
    EXPECT_FALSE(parse_rfc3339(bad)) << bad;
  }
}

}  // namespace
}  // namespace switchyard::ledger
