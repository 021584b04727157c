#include "ledger/ledger_row.h"

#include <boost/json.hpp>
#include <chrono>
#include <cmath>

#include "core/json_writer.h"
#include "core/money.h"

namespace switchyard::ledger {

namespace json = boost::json;
using namespace std::chrono;

bool belongs_in_ledger(const Outcome& outcome) {
  if (outcome.health_probe || outcome.operation.empty() || outcome.operation == "admin") return false;
  return outcome.error_kind != ErrorKind::authentication;
}

LedgerRow ledger_row(const Outcome& outcome) {
  LedgerRow row;
  row.request_id = outcome.request_id;
  row.started_at_us = duration_cast<microseconds>(outcome.started_at.time_since_epoch()).count();
  row.key_id = outcome.principal.key_id;
  row.team_id = outcome.principal.team_id;
  row.dialect = outcome.dialect;
  row.operation = std::string(outcome.operation);
  row.model = outcome.model;
  row.provider = outcome.provider;
  row.upstream_model = outcome.upstream_model;
  row.attempts = outcome.attempts;
  row.hedged = outcome.hedged;
  row.stream = outcome.stream;
  row.status = outcome.status;
  if (outcome.error_kind) row.error_kind = std::string(error_kind_name(*outcome.error_kind));
  const Usage& usage = outcome.usage;
  row.input_tokens = usage.input_tokens;
  row.output_tokens = usage.output_tokens;
  row.cache_read_tokens = usage.cache_read_tokens;
  row.cache_write_tokens = usage.cache_write_tokens;
  row.reasoning_tokens = usage.reasoning_tokens;
  if (outcome.cost) row.cost_pico = outcome.cost->pico;
  if (usage.reported) row.usage_source = "reported";
  else if (usage.estimated) row.usage_source = "estimated";
  row.latency_us = outcome.timings.total.count();
  if (outcome.timings.time_to_first_token) row.ttft_us = outcome.timings.time_to_first_token->count();
  row.overhead_us = outcome.timings.overhead.count();
  row.user = outcome.user;
  return row;
}

std::string rfc3339(std::int64_t micros_since_epoch) {
  sys_time<microseconds> time{microseconds(micros_since_epoch)};
  sys_days day = floor<days>(time);
  year_month_day date(day);
  hh_mm_ss clock(time - day);
  char text[40];
  std::snprintf(text, sizeof text, "%04d-%02u-%02uT%02d:%02d:%02d.%06lldZ", static_cast<int>(date.year()),
                static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()), static_cast<int>(clock.hours().count()),
                static_cast<int>(clock.minutes().count()), static_cast<int>(clock.seconds().count()),
                static_cast<long long>(clock.subseconds().count()));
  return text;
}

std::optional<std::int64_t> parse_rfc3339(std::string_view text) {
  auto digits = [&](std::size_t at, std::size_t count) -> std::optional<int> {
    if (at + count > text.size()) return std::nullopt;
    int value = 0;
    for (std::size_t i = at; i < at + count; ++i) {
      if (text[i] < '0' || text[i] > '9') return std::nullopt;
      value = value * 10 + (text[i] - '0');
    }
    return value;
  };
  auto year_digits = digits(0, 4), month_digits = digits(5, 2), day_digits = digits(8, 2);
  if (!year_digits || !month_digits || !day_digits || text.size() < 10 || text[4] != '-' || text[7] != '-') {
    return std::nullopt;
  }
  year_month_day date{year(*year_digits), month(static_cast<unsigned>(*month_digits)),
                      day(static_cast<unsigned>(*day_digits))};
  if (!date.ok()) return std::nullopt;
  std::int64_t micros = duration_cast<microseconds>(sys_days(date).time_since_epoch()).count();
  if (text.size() == 10) return micros;  // a date alone: its midnight, UTC
  if (text[10] != 'T' && text[10] != 't' && text[10] != ' ') return std::nullopt;
  auto hour = digits(11, 2), minute = digits(14, 2), second = digits(17, 2);
  if (!hour || !minute || !second || text.size() < 20 || text[13] != ':' || text[16] != ':' || *hour > 23 ||
      *minute > 59 || *second > 60) {
    return std::nullopt;
  }
  micros += ((*hour * 60LL + *minute) * 60 + *second) * 1'000'000;
  std::size_t at = 19;
  if (text[at] == '.') {
    std::int64_t fraction = 0, scale = 1'000'000;
    std::size_t start = ++at;
    while (at < text.size() && text[at] >= '0' && text[at] <= '9') {
      if (scale > 1) {
        scale /= 10;
        fraction += (text[at] - '0') * scale;
      }
      ++at;
    }
    if (at == start) return std::nullopt;
    micros += fraction;
  }
  std::string_view zone = text.substr(at);
  if (zone == "Z" || zone == "z") return micros;
  auto zone_hours = digits(at + 1, 2), zone_minutes = digits(at + 4, 2);
  if (zone.size() != 6 || (zone[0] != '+' && zone[0] != '-') || zone[3] != ':' || !zone_hours || !zone_minutes ||
      *zone_hours > 23 || *zone_minutes > 59) {
    return std::nullopt;
  }
  std::int64_t offset = (*zone_hours * 60LL + *zone_minutes) * 60'000'000;
  return zone[0] == '+' ? micros - offset : micros + offset;
}

std::string row_json(const LedgerRow& row) {
  std::string out;
  out.reserve(640);
  JsonWriter writer(out);
  auto text_or_null = [&](JsonKey key, const std::string& value) {
    if (value.empty()) writer.key(key).null();
    else writer.member(key, value);
  };
  writer.begin_object()
      .member("request_id", row.request_id)
      .member("started_at", rfc3339(row.started_at_us));
  text_or_null("key_id", row.key_id);
  text_or_null("team_id", row.team_id);
  writer.member("dialect", row.dialect).member("operation", row.operation).member("model", row.model);
  text_or_null("provider", row.provider);
  text_or_null("upstream_model", row.upstream_model);
  writer.member("attempts", std::int64_t{row.attempts})
      .member("hedged", row.hedged)
      .member("stream", row.stream)
      .member("status", std::int64_t{row.status});
  text_or_null("error_kind", row.error_kind);
  writer.member("input_tokens", row.input_tokens)
      .member("output_tokens", row.output_tokens)
      .member("cache_read_tokens", row.cache_read_tokens)
      .member("cache_write_tokens", row.cache_write_tokens)
      .member("reasoning_tokens", row.reasoning_tokens);
  if (row.cost_pico) writer.member("cost_usd", format_usd(Money{*row.cost_pico}));
  else writer.key("cost_usd").null();
  text_or_null("usage_source", row.usage_source);
  writer.key("latency_ms").millis(row.latency_us);
  if (row.ttft_us) writer.key("ttft_ms").millis(*row.ttft_us);
  else writer.key("ttft_ms").null();
  writer.member("overhead_us", row.overhead_us);
  text_or_null("user", row.user);
  writer.end_object();
  return out;
}

namespace {

// "0.000012345000" → 12,345,000 pico-dollars: the digits with the fraction padded to twelve.
std::optional<std::int64_t> parse_pico(std::string_view text) {
  bool negative = !text.empty() && text.front() == '-';
  if (negative) text.remove_prefix(1);
  std::size_t point = text.find('.');
  std::string_view whole = text.substr(0, point);
  std::string_view fraction = point == std::string_view::npos ? std::string_view() : text.substr(point + 1);
  if (whole.empty() || fraction.size() > 12 || whole.size() + 12 > 19) return std::nullopt;
  std::int64_t value = 0;
  for (char c : whole) {
    if (c < '0' || c > '9') return std::nullopt;
    value = value * 10 + (c - '0');
  }
  for (std::size_t i = 0; i < 12; ++i) {
    char c = i < fraction.size() ? fraction[i] : '0';
    if (c < '0' || c > '9') return std::nullopt;
    value = value * 10 + (c - '0');
  }
  return negative ? -value : value;
}

}  // namespace

std::optional<LedgerRow> parse_row_json(std::string_view text) {
  boost::system::error_code ec;
  json::value parsed = json::parse(text, ec);
  if (ec || !parsed.is_object()) return std::nullopt;
  const json::object& object = parsed.get_object();
  bool valid = true;
  auto text_of = [&](std::string_view key) -> std::string {
    const json::value* value = object.if_contains(key);
    if (value && value->is_string()) return std::string(value->get_string());
    if (!value || !value->is_null()) valid = false;
    return {};
  };
  auto integer_of = [&](std::string_view key) -> std::int64_t {
    const json::value* value = object.if_contains(key);
    if (value && value->is_int64()) return value->get_int64();
    valid = false;
    return 0;
  };
  auto micros_of = [&](std::string_view key) -> std::optional<std::int64_t> {
    const json::value* value = object.if_contains(key);
    if (!value || value->is_null()) return std::nullopt;
    if (value->is_number()) return std::llround(value->to_number<double>() * 1000.0);
    valid = false;
    return std::nullopt;
  };
  auto flag_of = [&](std::string_view key) {
    const json::value* value = object.if_contains(key);
    if (value && value->is_bool()) return value->get_bool();
    valid = false;
    return false;
  };
  LedgerRow row;
  row.request_id = text_of("request_id");
  std::optional<std::int64_t> started = parse_rfc3339(text_of("started_at"));
  if (!started) return std::nullopt;
  row.started_at_us = *started;
  row.key_id = text_of("key_id");
  row.team_id = text_of("team_id");
  row.dialect = text_of("dialect");
  row.operation = text_of("operation");
  row.model = text_of("model");
  row.provider = text_of("provider");
  row.upstream_model = text_of("upstream_model");
  row.attempts = static_cast<int>(integer_of("attempts"));
  row.hedged = flag_of("hedged");
  row.stream = flag_of("stream");
  row.status = static_cast<int>(integer_of("status"));
  row.error_kind = text_of("error_kind");
  row.input_tokens = integer_of("input_tokens");
  row.output_tokens = integer_of("output_tokens");
  row.cache_read_tokens = integer_of("cache_read_tokens");
  row.cache_write_tokens = integer_of("cache_write_tokens");
  row.reasoning_tokens = integer_of("reasoning_tokens");
  if (const json::value* cost = object.if_contains("cost_usd"); cost && cost->is_string()) {
    row.cost_pico = parse_pico(cost->get_string());
    if (!row.cost_pico) return std::nullopt;
  }
  row.usage_source = text_of("usage_source");
  row.latency_us = micros_of("latency_ms").value_or(0);
  row.ttft_us = micros_of("ttft_ms");
  row.overhead_us = integer_of("overhead_us");
  row.user = text_of("user");
  if (!valid || row.request_id.empty()) return std::nullopt;
  return row;
}

namespace {

std::string millis_text(std::int64_t micros) {
  std::string out;
  JsonWriter(out).millis(micros);
  return out;
}

// A field a spreadsheet would run as a formula (=, +, -, @ first: model names and user tags
// are the client's) is prefixed with a quote, as OWASP advises; numbers never need it.
bool reads_as_formula(std::string_view value) {
  if (value.empty()) return false;
  char first = value.front();
  if (first == '-') return value.size() < 2 || value[1] < '0' || value[1] > '9';
  return first == '=' || first == '+' || first == '@' || first == '\t' || first == '\r';
}

}  // namespace

void append_csv_field(std::string& out, std::string_view value) {
  if (value.find_first_of(",\"\r\n") == std::string_view::npos && !reads_as_formula(value)) {
    out += value;
    return;
  }
  out += '"';
  if (reads_as_formula(value)) out += '\'';
  for (char c : value) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
}

std::string csv_header() {
  return "request_id,started_at,key_id,team_id,dialect,operation,model,provider,upstream_model,attempts,hedged,stream,"
         "status,error_kind,input_tokens,output_tokens,cache_read_tokens,cache_write_tokens,reasoning_tokens,cost_usd,"
         "usage_source,latency_ms,ttft_ms,overhead_us,user\r\n";
}

std::string row_csv(const LedgerRow& row) {
  std::string out;
  auto field = [&](std::string_view value) {
    if (!out.empty()) out += ',';
    append_csv_field(out, value);
  };
  auto number = [&](std::int64_t value) { field(std::to_string(value)); };
  field(row.request_id);
  field(rfc3339(row.started_at_us));
  field(row.key_id);
  field(row.team_id);
  field(row.dialect);
  field(row.operation);
  field(row.model);
  field(row.provider);
  field(row.upstream_model);
  number(row.attempts);
  field(row.hedged ? "true" : "false");
  field(row.stream ? "true" : "false");
  number(row.status);
  field(row.error_kind);
  number(row.input_tokens);
  number(row.output_tokens);
  number(row.cache_read_tokens);
  number(row.cache_write_tokens);
  number(row.reasoning_tokens);
  field(row.cost_pico ? format_usd(Money{*row.cost_pico}) : std::string());
  field(row.usage_source);
  field(millis_text(row.latency_us));
  field(row.ttft_us ? millis_text(*row.ttft_us) : std::string());
  number(row.overhead_us);
  field(row.user);
  out += "\r\n";
  return out;
}

}  // namespace switchyard::ledger
