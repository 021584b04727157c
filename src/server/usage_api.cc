#include "server/usage_api.h"

#include <boost/url/parse.hpp>
#include <chrono>
#include <charconv>

#include "core/json_writer.h"
#include "core/money.h"
#include "ledger/ledger.h"
#include "server/responses.h"
#include "server/upstream_relay.h"

namespace switchyard::server {
namespace net = boost::asio;

namespace {

constexpr std::int64_t kDayUs = 86'400'000'000;
constexpr int kMaxLimit = 1000;

// The query's parameters, percent-decoded; a name given twice keeps its last value.
class QueryParameters {
 public:
  explicit QueryParameters(std::string_view target) {
    auto url = boost::urls::parse_uri_reference(target);
    if (!url) return;
    for (auto param : url->params()) values_.emplace_back(param.key, param.has_value ? param.value : std::string());
  }
  std::optional<std::string> get(std::string_view name) const {
    std::optional<std::string> found;
    for (const auto& [key, value] : values_) {
      if (key == name) found = value;
    }
    return found;
  }

 private:
  std::vector<std::pair<std::string, std::string>> values_;
};

std::int64_t now_us() {
  return std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

GatewayError bad_parameter(std::string_view name, std::string message) {
  return make_error(ErrorKind::invalid_request, std::string(name) + ": " + message, "invalid_parameter",
                    std::string(name));
}

// `from`/`to` as microseconds; an error names the parameter.
Result<std::optional<std::int64_t>> time_parameter(const QueryParameters& query, std::string_view name) {
  std::optional<std::string> text = query.get(name);
  if (!text) return std::optional<std::int64_t>();
  std::optional<std::int64_t> micros = ledger::parse_rfc3339(*text);
  if (!micros) return bad_parameter(name, "'" + *text + "' is not an RFC 3339 time (like 2026-12-07T00:00:00Z)");
  return micros;
}

// What both endpoints take: a time range and a format.
struct RangeAndFormat {
  std::optional<std::int64_t> from_us;
  std::optional<std::int64_t> to_us;
  bool csv = false;
};

Result<RangeAndFormat> range_and_format(const QueryParameters& query) {
  RangeAndFormat out;
  auto from = time_parameter(query, "from");
  if (!from) return from.take_error();
  auto to = time_parameter(query, "to");
  if (!to) return to.take_error();
  out.from_us = from.value();
  out.to_us = to.value();
  std::optional<std::string> format = query.get("format");
  if (format && *format == "csv") out.csv = true;
  else if (format && *format != "json") return bad_parameter("format", "must be json or csv");
  return out;
}

http::ClientResponse csv_response(std::string body, std::string_view name) {
  http::ClientResponse response{200};
  response.set("Content-Type", "text/csv; charset=utf-8");
  response.set("Content-Disposition", "attachment; filename=\"" + std::string(name) + ".csv\"");
  response.body = std::move(body);
  return response;
}

net::awaitable<void> fail(RequestScope& scope, const GatewayError& error) {
  co_await send_error(scope.exchange, scope.context, scope.client, error);
}

net::awaitable<void> answer(RequestScope& scope, http::ClientResponse response) {
  scope.context.outcome.status = response.status();
  co_await scope.exchange.response.send(std::move(response));
}

std::string money_text(std::int64_t pico) { return format_usd(Money{pico}); }

std::string usage_json(const std::vector<ledger::UsageGroup>& groups, ledger::GroupBy group_by) {
  std::string out;
  JsonWriter writer(out);
  writer.begin_object().key("data").begin_array();
  for (const ledger::UsageGroup& group : groups) {
    writer.begin_object();
    switch (group_by) {
      case ledger::GroupBy::model: writer.key("model"); break;
      case ledger::GroupBy::provider: writer.key("provider"); break;
      case ledger::GroupBy::key: writer.key("key_id"); break;
      case ledger::GroupBy::team: writer.key("team_id"); break;
      case ledger::GroupBy::day:
      case ledger::GroupBy::hour: writer.key("period"); break;
    }
    if (group.group.empty()) writer.null();
    else writer.string(group.group);
    writer.member("requests", group.requests)
        .member("errors", group.errors)
        .member("input_tokens", group.input_tokens)
        .member("output_tokens", group.output_tokens)
        .member("cache_read_tokens", group.cache_read_tokens)
        .member("cache_write_tokens", group.cache_write_tokens)
        .member("reasoning_tokens", group.reasoning_tokens)
        .member("cost_usd", money_text(group.cost_pico))
        .member("unpriced_requests", group.unpriced_requests);
    writer.key("latency_p50_ms").millis(group.latency_p50_us);
    writer.key("latency_p95_ms").millis(group.latency_p95_us);
    writer.end_object();
  }
  writer.end_array().end_object();
  return out;
}

std::string usage_csv(const std::vector<ledger::UsageGroup>& groups, ledger::GroupBy group_by) {
  std::string out = std::string(ledger::group_by_name(group_by)) +
                    ",requests,errors,input_tokens,output_tokens,cache_read_tokens,cache_write_tokens,"
                    "reasoning_tokens,cost_usd,unpriced_requests,latency_p50_ms,latency_p95_ms\r\n";
  for (const ledger::UsageGroup& group : groups) {
    ledger::append_csv_field(out, group.group);
    auto number = [&](std::int64_t value) { out += "," + std::to_string(value); };
    auto millis = [&](std::int64_t micros) {
      std::string text;
      JsonWriter(text).millis(micros);
      out += "," + text;
    };
    number(group.requests);
    number(group.errors);
    number(group.input_tokens);
    number(group.output_tokens);
    number(group.cache_read_tokens);
    number(group.cache_write_tokens);
    number(group.reasoning_tokens);
    out += "," + money_text(group.cost_pico);
    number(group.unpriced_requests);
    millis(group.latency_p50_us);
    millis(group.latency_p95_us);
    out += "\r\n";
  }
  return out;
}

// A page's cursor: the last row's start and id, "1733590000000000_req-id".
std::string cursor_of(const ledger::LedgerRow& row) { return std::to_string(row.started_at_us) + "_" + row.request_id; }

std::optional<std::pair<std::int64_t, std::string>> parse_cursor(std::string_view text) {
  std::size_t separator = text.find('_');
  if (separator == std::string_view::npos || separator + 1 == text.size()) return std::nullopt;
  std::int64_t micros = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + separator, micros);
  if (ec != std::errc() || end != text.data() + separator) return std::nullopt;
  return std::make_pair(micros, std::string(text.substr(separator + 1)));
}

}  // namespace

net::awaitable<void> serve_usage(RequestScope& scope, ledger::Ledger& ledger) {
  QueryParameters query(scope.exchange.request.target());
  auto common = range_and_format(query);
  std::optional<GatewayError> problem;
  if (!common) problem = common.error();
  ledger::UsageQuery usage;
  if (!problem) {
    usage.to_us = common.value().to_us.value_or(now_us() + 1);
    usage.from_us = common.value().from_us.value_or(usage.to_us - kDayUs);
    if (usage.from_us >= usage.to_us) problem = bad_parameter("from", "must be before to");
  }
  if (!problem) {
    std::string group_by = query.get("group_by").value_or("model");
    if (auto parsed = ledger::parse_group_by(group_by)) usage.group_by = *parsed;
    else problem = bad_parameter("group_by", "must be one of model, provider, key, team, day, hour");
  }
  if (problem) {
    co_await fail(scope, *problem);
    co_return;
  }
  Result<std::vector<ledger::UsageGroup>> groups = co_await ledger.usage(usage);
  if (!groups) {
    co_await fail(scope, groups.error());
    co_return;
  }
  if (common.value().csv) co_await answer(scope, csv_response(usage_csv(groups.value(), usage.group_by), "usage"));
  else co_await answer(scope, json_response(200, usage_json(groups.value(), usage.group_by)));
}

net::awaitable<void> serve_requests(RequestScope& scope, ledger::Ledger& ledger) {
  QueryParameters query(scope.exchange.request.target());
  auto common = range_and_format(query);
  std::optional<GatewayError> problem;
  if (!common) problem = common.error();
  ledger::RequestsQuery request;
  if (!problem) {
    request.from_us = common.value().from_us;
    request.to_us = common.value().to_us;
    request.model = query.get("model").value_or("");
    request.key_id = query.get("key").value_or("");
    if (auto limit = query.get("limit")) {
      int value = 0;
      auto [end, ec] = std::from_chars(limit->data(), limit->data() + limit->size(), value);
      if (ec != std::errc() || end != limit->data() + limit->size() || value < 1 || value > kMaxLimit) {
        problem = bad_parameter("limit", "must be a whole number from 1 to " + std::to_string(kMaxLimit));
      }
      request.limit = value;
    }
    if (auto status = query.get("status")) {
      int value = 0;
      auto [end, ec] = std::from_chars(status->data(), status->data() + status->size(), value);
      if (ec != std::errc() || end != status->data() + status->size() || value < 0 || value > 999) {
        problem = bad_parameter("status", "must be an HTTP status code");
      }
      request.status = value;
    }
    if (auto before = query.get("before")) {
      request.before = parse_cursor(*before);
      if (!request.before) problem = bad_parameter("before", "must be the `next` cursor of a previous page");
    }
  }
  if (problem) {
    co_await fail(scope, *problem);
    co_return;
  }
  Result<ledger::RequestsPage> page = co_await ledger.requests(request);
  if (!page) {
    co_await fail(scope, page.error());
    co_return;
  }
  const std::vector<ledger::LedgerRow>& rows = page.value().rows;
  std::optional<std::string> next;
  if (page.value().more && !rows.empty()) next = cursor_of(rows.back());
  if (common.value().csv) {
    std::string body = ledger::csv_header();
    for (const ledger::LedgerRow& row : rows) body += ledger::row_csv(row);
    http::ClientResponse response = csv_response(std::move(body), "requests");
    if (next) response.set("X-Next-Cursor", *next);
    co_await answer(scope, std::move(response));
    co_return;
  }
  std::string body = "{\"data\":[";
  for (std::size_t i = 0; i < rows.size(); ++i) {
    if (i) body += ',';
    body += ledger::row_json(rows[i]);
  }
  body += "],\"next\":";
  body += next ? json_string(*next) : std::string("null");
  body += '}';
  co_await answer(scope, json_response(200, std::move(body)));
}

}  // namespace switchyard::server
