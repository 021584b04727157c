#include "telemetry/otlp_exporter.h"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <charconv>

#include "core/json_writer.h"
#include "core/log.h"
#include "core/money.h"

namespace switchyard::telemetry {

namespace net = boost::asio;
namespace beast = boost::beast;
using std::chrono::duration_cast;
using std::chrono::nanoseconds;

namespace {

constexpr int kSpanKindServer = 2;
constexpr int kSpanKindClient = 3;
constexpr int kStatusError = 2;

std::string nanos(std::chrono::system_clock::time_point time) {
  return std::to_string(duration_cast<nanoseconds>(time.time_since_epoch()).count());
}

// An OTLP attribute list, written as it goes: [{"key":..,"value":{"stringValue":..}}, ...].
class Attributes {
 public:
  explicit Attributes(JsonWriter& writer) : writer_(writer) { writer_.begin_array(); }
  void text(std::string_view key, std::string_view value) {
    if (value.empty()) return;
    writer_.begin_object().member("key", key).key("value").begin_object().member("stringValue", value).end_object().end_object();
  }
  void number(std::string_view key, std::int64_t value) {
    // OTLP JSON writes 64-bit integers as strings.
    writer_.begin_object().member("key", key).key("value").begin_object().member("intValue", std::to_string(value)).end_object().end_object();
  }
  void close() { writer_.end_array(); }

 private:
  JsonWriter& writer_;
};

std::string_view genai_operation(std::string_view operation) {
  if (operation == "generate") return "chat";
  if (operation == "embed") return "embeddings";
  return {};
}

bool is_numeric(std::string_view text) {
  int value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  return ec == std::errc() && end == text.data() + text.size();
}

}  // namespace

std::vector<std::string> spans_of(const Outcome& outcome) {
  std::vector<std::string> spans;
  const TraceContext& trace = outcome.trace;
  std::string_view operation = genai_operation(outcome.operation);
  auto end = outcome.started_at + outcome.timings.total;

  std::string span;
  JsonWriter writer(span);
  std::string name = operation.empty() ? outcome.method + " " + outcome.path : std::string(operation) + " " + outcome.model;
  writer.begin_object().member("traceId", trace.trace_id).member("spanId", trace.span_id);
  if (!trace.parent_span_id.empty()) writer.member("parentSpanId", trace.parent_span_id);
  writer.member("name", name)
      .member("kind", std::int64_t{kSpanKindServer})
      .member("startTimeUnixNano", nanos(outcome.started_at))
      .member("endTimeUnixNano", nanos(end));
  writer.key("attributes");
  Attributes attributes(writer);
  attributes.text("gen_ai.operation.name", operation);
  attributes.text("gen_ai.provider.name", outcome.provider_system);
  attributes.text("gen_ai.request.model", outcome.model);
  attributes.text("gen_ai.response.model", outcome.upstream_model);
  if (outcome.usage.reported || outcome.usage.estimated) {
    attributes.number("gen_ai.usage.input_tokens", outcome.usage.input_tokens);
    attributes.number("gen_ai.usage.output_tokens", outcome.usage.output_tokens);
    attributes.number("gen_ai.usage.cache_read.input_tokens", outcome.usage.cache_read_tokens);
    attributes.number("gen_ai.usage.cache_creation.input_tokens", outcome.usage.cache_write_tokens);
    attributes.number("gen_ai.usage.reasoning.output_tokens", outcome.usage.reasoning_tokens);
  }
  attributes.text("http.request.method", outcome.method);
  attributes.text("url.path", outcome.path);
  if (outcome.status > 0) attributes.number("http.response.status_code", outcome.status);
  attributes.text("switchyard.request_id", outcome.request_id);
  attributes.text("switchyard.provider", outcome.provider);
  attributes.number("switchyard.attempts", outcome.attempts);
  if (outcome.cost) attributes.text("switchyard.cost_usd", format_usd(*outcome.cost));
  if (outcome.error_kind) attributes.text("error.type", error_kind_name(*outcome.error_kind));
  attributes.close();
  bool failed = outcome.status >= 500 || outcome.ending == Ending::stream_failed;
  if (failed) writer.key("status").begin_object().member("code", std::int64_t{kStatusError}).end_object();
  writer.end_object();
  spans.push_back(std::move(span));

  for (const AttemptSpan& attempt : outcome.attempt_spans) {
    std::string child;
    JsonWriter out(child);
    std::string_view model = std::string_view(attempt.label).substr(std::min(attempt.label.size(), attempt.label.find('/') + 1));
    std::string child_name = operation.empty() ? attempt.label : std::string(operation) + " " + std::string(model);
    out.begin_object()
        .member("traceId", trace.trace_id)
        .member("spanId", attempt.span_id)
        .member("parentSpanId", trace.span_id)
        .member("name", child_name)
        .member("kind", std::int64_t{kSpanKindClient})
        .member("startTimeUnixNano", nanos(attempt.start))
        .member("endTimeUnixNano", nanos(attempt.ended ? attempt.end : end));
    out.key("attributes");
    Attributes child_attributes(out);
    child_attributes.text("gen_ai.operation.name", operation);
    child_attributes.text("gen_ai.request.model", model);
    child_attributes.text("switchyard.deployment", attempt.label);
    bool numeric = is_numeric(attempt.result);
    if (numeric) child_attributes.number("http.response.status_code", std::stoll(attempt.result));
    bool attempt_failed = !attempt.ended || !numeric || std::stoi(attempt.result) >= 400;
    if (attempt_failed) child_attributes.text("error.type", attempt.ended ? attempt.result : "unfinished");
    child_attributes.close();
    if (attempt_failed) out.key("status").begin_object().member("code", std::int64_t{kStatusError}).end_object();
    out.end_object();
    spans.push_back(std::move(child));
  }
  return spans;
}

OtlpExporter::OtlpExporter(OtlpSettings settings) : settings_(std::move(settings)) {
  // http://host[:port][/base]: the config loader checked the form.
  std::string_view rest = std::string_view(settings_.endpoint).substr(std::string_view("http://").size());
  std::size_t slash = rest.find('/');
  std::string_view authority = rest.substr(0, slash);
  std::string base = slash == std::string_view::npos ? "" : std::string(rest.substr(slash));
  while (!base.empty() && base.back() == '/') base.pop_back();
  target_ = base + "/v1/traces";
  std::size_t colon = authority.rfind(':');
  if (colon != std::string_view::npos && authority.find(']') == std::string_view::npos) {
    host_ = std::string(authority.substr(0, colon));
    port_ = std::string(authority.substr(colon + 1));
  } else {
    host_ = std::string(authority);
    port_ = "80";
  }
  if (host_.size() > 2 && host_.front() == '[') host_ = host_.substr(1, host_.size() - 2);
  thread_ = std::thread([this] { run(); });
}

OtlpExporter::~OtlpExporter() { close(); }

void OtlpExporter::on_outcome(const Outcome& outcome) noexcept {
  if (!outcome.trace.sampled || outcome.health_probe) return;
  try {
    std::vector<std::string> spans = spans_of(outcome);
    std::lock_guard lock(mutex_);
    if (closing_ || queue_.size() + spans.size() > settings_.queue_capacity) {
      counters_.spans_dropped.fetch_add(spans.size(), std::memory_order_relaxed);
      return;
    }
    for (std::string& span : spans) queue_.push_back(std::move(span));
    if (queue_.size() >= settings_.batch_spans) wake_.notify_one();
  } catch (...) {
    counters_.spans_dropped.fetch_add(1, std::memory_order_relaxed);
  }
}

void OtlpExporter::close() {
  {
    std::lock_guard lock(mutex_);
    if (closing_ && !thread_.joinable()) return;
    closing_ = true;
  }
  wake_.notify_one();
  if (thread_.joinable()) thread_.join();
}

void OtlpExporter::run() {
  std::vector<std::string> batch;
  std::unique_lock lock(mutex_);
  for (;;) {
    wake_.wait_for(lock, settings_.flush_interval, [&] { return closing_ || queue_.size() >= settings_.batch_spans; });
    bool closing = closing_;
    std::size_t take = std::min(queue_.size(), settings_.batch_spans);
    batch.assign(std::make_move_iterator(queue_.begin()), std::make_move_iterator(queue_.begin() + static_cast<std::ptrdiff_t>(take)));
    queue_.erase(queue_.begin(), queue_.begin() + static_cast<std::ptrdiff_t>(take));
    lock.unlock();
    if (!batch.empty()) {
      std::string body = R"({"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"switchyard"}},)";
      body += R"({"key":"service.version","value":{"stringValue":)" + json_string(settings_.service_version) + "}}]},";
      body += R"("scopeSpans":[{"scope":{"name":"switchyard"},"spans":[)";
      for (std::size_t i = 0; i < batch.size(); ++i) {
        if (i) body += ',';
        body += batch[i];
      }
      body += "]}]}]}";
      if (post(body)) {
        counters_.spans_exported.fetch_add(batch.size(), std::memory_order_relaxed);
      } else {
        counters_.export_failures.fetch_add(1, std::memory_order_relaxed);
        counters_.spans_dropped.fetch_add(batch.size(), std::memory_order_relaxed);
      }
      batch.clear();
    }
    lock.lock();
    if (closing && queue_.empty()) break;
  }
}

bool OtlpExporter::post(const std::string& body) {
  net::io_context io;
  net::ip::tcp::resolver resolver(io);
  beast::tcp_stream stream(io);
  beast::http::request<beast::http::string_body> request{beast::http::verb::post, target_, 11};
  request.set(beast::http::field::host, host_ + ":" + port_);
  request.set(beast::http::field::content_type, "application/json");
  request.set(beast::http::field::user_agent, "switchyard");
  for (const auto& [name, value] : settings_.headers) request.set(name, value);
  request.body() = body;
  request.prepare_payload();
  beast::flat_buffer buffer;
  beast::http::response<beast::http::string_body> response;
  bool accepted = false;
  stream.expires_after(settings_.timeout);
  // Every step bounded by the stream's deadline; the handlers chain while io runs below.
  resolver.async_resolve(host_, port_, [&](beast::error_code ec, net::ip::tcp::resolver::results_type results) {
    if (ec) return;
    stream.async_connect(results, [&](beast::error_code ec, const net::ip::tcp::endpoint&) {
      if (ec) return;
      beast::http::async_write(stream, request, [&](beast::error_code ec, std::size_t) {
        if (ec) return;
        beast::http::async_read(stream, buffer, response, [&](beast::error_code ec, std::size_t) {
          accepted = !ec && response.result_int() / 100 == 2;
        });
      });
    });
  });
  io.run_for(settings_.timeout + std::chrono::milliseconds(500));
  return accepted;
}

}  // namespace switchyard::telemetry
