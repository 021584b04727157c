#include "telemetry/request_metrics.h"

#include <array>
#include <charconv>
#include <map>
#include <span>
#include <unordered_map>

#include "core/money.h"
#include "telemetry/prometheus_text.h"

namespace switchyard::telemetry {

namespace {

// Bucket bounds, in microseconds (durations) or tokens.
constexpr std::array<std::int64_t, 15> kDurationBounds = {5'000,     10'000,    25'000,     50'000,     100'000,
                                                          250'000,   500'000,   1'000'000,  2'500'000,  5'000'000,
                                                          10'000'000, 30'000'000, 60'000'000, 120'000'000, 300'000'000};
constexpr std::array<std::int64_t, 12> kOverheadBounds = {10,    25,    50,     100,    250,    500,
                                                          1'000, 2'500, 5'000, 10'000, 50'000, 250'000};
// OpenTelemetry's advice for gen_ai.client.token.usage: powers of four.
constexpr std::array<std::int64_t, 14> kTokenBounds = {1,      4,       16,      64,       256,       1024,      4096,
                                                       16384,  65536,   262144,  1048576,  4194304,   16777216,  67108864};

constexpr std::array<std::string_view, 5> kTokenTypes = {"input", "output", "cache_read", "cache_write", "reasoning"};

// A value only its shard's thread writes: a relaxed load and store, no read-modify-write.
struct Counter {
  std::atomic<std::uint64_t> value{0};
  void add(std::uint64_t n) { value.store(value.load(std::memory_order_relaxed) + n, std::memory_order_relaxed); }
  std::uint64_t get() const { return value.load(std::memory_order_relaxed); }
};

template <std::size_t N>
struct Histogram {
  const std::array<std::int64_t, N>& bounds;
  std::array<Counter, N + 1> counts;
  Counter sum;
  explicit Histogram(const std::array<std::int64_t, N>& b) : bounds(b) {}
  void observe(std::int64_t value) {
    std::size_t i = 0;
    while (i < N && value > bounds[i]) ++i;
    counts[i].add(1);
    sum.add(static_cast<std::uint64_t>(std::max<std::int64_t>(0, value)));
  }
};

// Everything recorded about one label set of requests.
struct RequestSeries {
  Counter requests;
  std::array<Counter, 5> tokens;
  Counter cost_pico;
  Counter unpriced;
  Counter attempts;
  Counter retries;
  Counter hedged;
  Histogram<15> duration{kDurationBounds};
  Histogram<15> ttft{kDurationBounds};
  Histogram<12> overhead{kOverheadBounds};
  Histogram<14> input_tokens{kTokenBounds};
  Histogram<14> output_tokens{kTokenBounds};
};

// The label values of a request, in a fixed order; joined, they are its series key.
enum Label { kOperation, kModel, kProvider, kResponseModel, kSystem, kStatusClass, kLabelCount };

std::string status_class(int status) {
  if (status <= 0) return "none";
  return std::to_string(status / 100) + "xx";
}

std::array<std::string, kLabelCount> labels_of(const Outcome& outcome) {
  std::array<std::string, kLabelCount> labels;
  labels[kOperation] = outcome.operation.empty() ? "none" : std::string(outcome.operation);
  if (outcome.model_is_alias) labels[kModel] = outcome.model;
  else if (!outcome.provider.empty()) labels[kModel] = outcome.provider + "/*";
  else labels[kModel] = outcome.model.empty() ? "none" : "unknown";
  labels[kProvider] = outcome.provider.empty() ? "none" : outcome.provider;
  labels[kResponseModel] = outcome.deployment_configured ? outcome.upstream_model
                                                         : (outcome.provider.empty() ? "none" : "other");
  labels[kSystem] = outcome.provider_system.empty() ? "none" : std::string(outcome.provider_system);
  labels[kStatusClass] = status_class(outcome.status);
  return labels;
}

constexpr char kSeparator = '\x1f';

std::string join(const std::array<std::string, kLabelCount>& labels) {
  std::string key;
  for (const std::string& label : labels) {
    key += label;
    key += kSeparator;
  }
  return key;
}

std::array<std::string, kLabelCount> split(const std::string& key) {
  std::array<std::string, kLabelCount> labels;
  std::size_t start = 0;
  for (std::string& label : labels) {
    std::size_t end = key.find(kSeparator, start);
    label = key.substr(start, end - start);
    start = end + 1;
  }
  return labels;
}

// What an attempt's result in the attempt log says of the upstream: an HTTP status
// ("http_429"), or a failure before any status ("transport"); nothing for a success or for a
// hedge that lost its race.
std::string failure_kind(std::string_view result) {
  int status = 0;
  auto [end, ec] = std::from_chars(result.data(), result.data() + result.size(), status);
  if (ec == std::errc() && end == result.data() + result.size()) {
    if (status < 400 || status > 599) return {};
    return "http_" + std::to_string(status);
  }
  if (result == "hedge-lost") return {};
  return "transport";
}

}  // namespace

struct RequestMetrics::Shard {
  // The owning thread reads these maps without the lock (only it changes them) and takes it
  // to add an entry; the scrape takes it to read them.
  std::mutex mutex;
  std::unordered_map<std::string, std::unique_ptr<RequestSeries>> series;
  std::unordered_map<std::string, std::unique_ptr<Counter>> failures;  // "provider\x1fkind"
  std::unordered_map<std::string, std::unique_ptr<Counter>> dropped;   // requests the sink could not record

  template <class Value>
  Value& entry(std::unordered_map<std::string, std::unique_ptr<Value>>& map, std::string key) {
    if (auto found = map.find(key); found != map.end()) return *found->second;
    std::lock_guard lock(mutex);
    return *map.emplace(std::move(key), std::make_unique<Value>()).first->second;
  }
};

RequestMetrics::RequestMetrics() : id_([] {
  static std::atomic<std::uint64_t> next{1};
  return next.fetch_add(1);
}()) {}
RequestMetrics::~RequestMetrics() = default;

RequestMetrics::Shard& RequestMetrics::my_shard() {
  // One shard per thread and sink; a thread finds its own without a lock after the first time.
  thread_local std::uint64_t owner = 0;
  thread_local Shard* shard = nullptr;
  if (owner != id_) {
    std::lock_guard lock(shards_mutex_);
    shards_.push_back(std::make_unique<Shard>());
    shard = shards_.back().get();
    owner = id_;
  }
  return *shard;
}

void RequestMetrics::on_outcome(const Outcome& outcome) noexcept {
  if (outcome.health_probe || outcome.operation == "admin") return;
  try {
    Shard& shard = my_shard();
    std::array<std::string, kLabelCount> labels = labels_of(outcome);
    RequestSeries& series = shard.entry(shard.series, join(labels));
    series.requests.add(1);
    const Usage& usage = outcome.usage;
    const std::int64_t counts[5] = {usage.input_tokens, usage.output_tokens, usage.cache_read_tokens,
                                    usage.cache_write_tokens, usage.reasoning_tokens};
    for (std::size_t i = 0; i < 5; ++i) series.tokens[i].add(static_cast<std::uint64_t>(std::max<std::int64_t>(0, counts[i])));
    if (outcome.cost) series.cost_pico.add(static_cast<std::uint64_t>(std::max<std::int64_t>(0, outcome.cost->pico)));
    else series.unpriced.add(1);
    series.attempts.add(static_cast<std::uint64_t>(outcome.attempts));
    if (outcome.attempts > 1) series.retries.add(static_cast<std::uint64_t>(outcome.attempts - 1));
    if (outcome.hedged) series.hedged.add(1);
    series.duration.observe(outcome.timings.total.count());
    if (outcome.timings.time_to_first_token && outcome.stream) series.ttft.observe(outcome.timings.time_to_first_token->count());
    series.overhead.observe(outcome.timings.overhead.count());
    if (usage.reported || usage.estimated) {
      series.input_tokens.observe(usage.input_tokens);
      series.output_tokens.observe(usage.output_tokens);
    }
    // Each failed attempt, by provider and kind: "provider/model:result,...".
    std::string_view log = outcome.attempt_log;
    while (!log.empty()) {
      std::string_view entry = log.substr(0, log.find(','));
      log.remove_prefix(std::min(log.size(), entry.size() + 1));
      std::size_t colon = entry.rfind(':');
      if (colon == std::string_view::npos) continue;
      std::string kind = failure_kind(entry.substr(colon + 1));
      if (kind.empty()) continue;
      std::string_view provider = entry.substr(0, std::min(entry.find('/'), colon));
      shard.entry(shard.failures, std::string(provider) + kSeparator + kind).add(1);
    }
  } catch (...) {  // out of memory for a new series: the request goes uncounted
  }
}

namespace {

struct SeriesTotals {
  std::uint64_t requests = 0;
  std::array<std::uint64_t, 5> tokens{};
  std::uint64_t cost_pico = 0, unpriced = 0, attempts = 0, retries = 0, hedged = 0;
  struct Hist {
    std::vector<std::uint64_t> counts;
    std::uint64_t sum = 0;
  } duration, ttft, overhead, input_tokens, output_tokens;
};

template <std::size_t N>
void add_histogram(SeriesTotals::Hist& into, const Histogram<N>& from) {
  into.counts.resize(N + 1);
  for (std::size_t i = 0; i <= N; ++i) into.counts[i] += from.counts[i].get();
  into.sum += from.sum.get();
}

// Totals of a family's label subset, added up from the full series.
template <class Pick>
std::map<std::vector<std::string>, SeriesTotals> regroup(const std::map<std::string, SeriesTotals>& all, Pick pick) {
  std::map<std::vector<std::string>, SeriesTotals> out;
  for (const auto& [key, totals] : all) {
    auto labels = split(key);
    SeriesTotals& into = out[pick(labels)];
    into.requests += totals.requests;
    for (std::size_t i = 0; i < 5; ++i) into.tokens[i] += totals.tokens[i];
    into.cost_pico += totals.cost_pico;
    into.unpriced += totals.unpriced;
    into.attempts += totals.attempts;
    into.retries += totals.retries;
    into.hedged += totals.hedged;
    auto merge = [](SeriesTotals::Hist& a, const SeriesTotals::Hist& b) {
      a.counts.resize(b.counts.size());
      for (std::size_t i = 0; i < b.counts.size(); ++i) a.counts[i] += b.counts[i];
      a.sum += b.sum;
    };
    merge(into.duration, totals.duration);
    merge(into.ttft, totals.ttft);
    merge(into.overhead, totals.overhead);
    merge(into.input_tokens, totals.input_tokens);
    merge(into.output_tokens, totals.output_tokens);
  }
  return out;
}

Labels labels_named(std::span<const std::string_view> names, const std::vector<std::string>& values) {
  Labels labels;
  std::size_t i = 0;
  for (std::string_view name : names) labels.emplace_back(name, values[i++]);
  return labels;
}

Labels labels_named(std::initializer_list<std::string_view> names, const std::vector<std::string>& values) {
  return labels_named(std::span<const std::string_view>(names.begin(), names.size()), values);
}

}  // namespace

void RequestMetrics::append_exposition(std::string& out) const {
  std::map<std::string, SeriesTotals> all;
  std::map<std::string, std::uint64_t> failures;
  {
    std::lock_guard lock(shards_mutex_);
    for (const auto& shard : shards_) {
      std::lock_guard shard_lock(shard->mutex);
      for (const auto& [key, series] : shard->series) {
        SeriesTotals& totals = all[key];
        totals.requests += series->requests.get();
        for (std::size_t i = 0; i < 5; ++i) totals.tokens[i] += series->tokens[i].get();
        totals.cost_pico += series->cost_pico.get();
        totals.unpriced += series->unpriced.get();
        totals.attempts += series->attempts.get();
        totals.retries += series->retries.get();
        totals.hedged += series->hedged.get();
        add_histogram(totals.duration, series->duration);
        add_histogram(totals.ttft, series->ttft);
        add_histogram(totals.overhead, series->overhead);
        add_histogram(totals.input_tokens, series->input_tokens);
        add_histogram(totals.output_tokens, series->output_tokens);
      }
      for (const auto& [key, counter] : shard->failures) failures[key] += counter->get();
    }
  }
  PrometheusText text(out);
  using Values = std::vector<std::string>;
  constexpr double kSeconds = 1e-6;

  auto by_request = regroup(all, [](const auto& l) { return Values{l[kOperation], l[kModel], l[kProvider], l[kStatusClass]}; });
  text.family("switchyard_requests_total", "counter", "Requests served, by operation, model alias, provider and status class");
  for (const auto& [values, totals] : by_request) {
    text.sample("switchyard_requests_total", labels_named({"operation", "model", "provider", "status_class"}, values),
                static_cast<std::int64_t>(totals.requests));
  }

  auto by_model = regroup(all, [](const auto& l) { return Values{l[kModel], l[kProvider]}; });
  text.family("switchyard_tokens_total", "counter",
              "Tokens, by type: input (cache reads and writes included), output (reasoning included), cache_read, "
              "cache_write, reasoning");
  for (const auto& [values, totals] : by_model) {
    for (std::size_t i = 0; i < 5; ++i) {
      Labels labels = labels_named({"model", "provider"}, values);
      labels.emplace_back("type", kTokenTypes[i]);
      text.sample("switchyard_tokens_total", labels, static_cast<std::int64_t>(totals.tokens[i]));
    }
  }
  text.family("switchyard_cost_usd_total", "counter", "What the upstreams bill for the requests, in US dollars, exactly");
  for (const auto& [values, totals] : by_model) {
    text.sample("switchyard_cost_usd_total", labels_named({"model", "provider"}, values),
                format_usd(Money{static_cast<std::int64_t>(totals.cost_pico)}));
  }
  text.family("switchyard_unpriced_requests_total", "counter",
              "Requests that used tokens of a model without a known price (their cost is not in the cost total)");
  for (const auto& [values, totals] : by_model) {
    text.sample("switchyard_unpriced_requests_total", labels_named({"model", "provider"}, values),
                static_cast<std::int64_t>(totals.unpriced));
  }
  text.family("switchyard_upstream_attempts_total", "counter", "Upstream attempts made for the requests");
  for (const auto& [values, totals] : by_model) {
    text.sample("switchyard_upstream_attempts_total", labels_named({"model", "provider"}, values),
                static_cast<std::int64_t>(totals.attempts));
  }
  text.family("switchyard_retries_total", "counter", "Attempts beyond each request's first (retries and fallbacks)");
  for (const auto& [values, totals] : by_model) {
    text.sample("switchyard_retries_total", labels_named({"model", "provider"}, values),
                static_cast<std::int64_t>(totals.retries));
  }
  text.family("switchyard_hedged_requests_total", "counter", "Requests for which a hedge (a parallel backup attempt) ran");
  for (const auto& [values, totals] : by_model) {
    text.sample("switchyard_hedged_requests_total", labels_named({"model", "provider"}, values),
                static_cast<std::int64_t>(totals.hedged));
  }
  text.family("switchyard_upstream_failures_total", "counter",
              "Failed upstream attempts, by provider and kind (http_STATUS, or transport: no status came)");
  for (const auto& [key, count] : failures) {
    std::size_t separator = key.find(kSeparator);
    text.sample("switchyard_upstream_failures_total",
                {{"provider", std::string_view(key).substr(0, separator)}, {"kind", std::string_view(key).substr(separator + 1)}},
                static_cast<std::int64_t>(count));
  }

  auto by_operation = regroup(all, [](const auto& l) { return Values{l[kOperation], l[kModel], l[kProvider]}; });
  text.family("switchyard_request_duration_seconds", "histogram", "Time from a request's arrival to its settlement");
  for (const auto& [values, totals] : by_operation) {
    text.histogram("switchyard_request_duration_seconds", labels_named({"operation", "model", "provider"}, values),
                   kDurationBounds, totals.duration.counts, static_cast<std::int64_t>(totals.duration.sum), kSeconds);
  }
  text.family("switchyard_time_to_first_token_seconds", "histogram", "Streams: time from arrival to the first content");
  for (const auto& [values, totals] : by_model) {
    text.histogram("switchyard_time_to_first_token_seconds", labels_named({"model", "provider"}, values), kDurationBounds,
                   totals.ttft.counts, static_cast<std::int64_t>(totals.ttft.sum), kSeconds);
  }
  auto by_operation_only = regroup(all, [](const auto& l) { return Values{l[kOperation]}; });
  text.family("switchyard_gateway_overhead_seconds", "histogram",
              "Time a request spent in the gateway itself: its duration less upstream exchanges and retry backoff");
  for (const auto& [values, totals] : by_operation_only) {
    text.histogram("switchyard_gateway_overhead_seconds", labels_named({"operation"}, values), kOverheadBounds,
                   totals.overhead.counts, static_cast<std::int64_t>(totals.overhead.sum), kSeconds);
  }

  // OpenTelemetry GenAI semantic conventions, for model operations that reached a provider.
  auto genai = regroup(all, [](const auto& l) {
    std::string operation = l[kOperation] == "generate" ? "chat" : l[kOperation] == "embed" ? "embeddings" : "";
    return Values{operation, l[kSystem], l[kModel], l[kResponseModel]};
  });
  static constexpr std::array<std::string_view, 4> kGenAi = {"gen_ai_operation_name", "gen_ai_provider_name",
                                                             "gen_ai_request_model", "gen_ai_response_model"};
  auto genai_rows = [&](auto emit) {
    for (const auto& [values, totals] : genai) {
      if (values[0].empty() || values[1] == "none") continue;
      emit(labels_named(kGenAi, values), totals);
    }
  };
  text.family("gen_ai_client_token_usage", "histogram", "Number of input and output tokens used per operation");
  genai_rows([&](Labels labels, const SeriesTotals& totals) {
    Labels input = labels, output = labels;
    input.emplace_back("gen_ai_token_type", "input");
    output.emplace_back("gen_ai_token_type", "output");
    text.histogram("gen_ai_client_token_usage", input, kTokenBounds, totals.input_tokens.counts,
                   static_cast<std::int64_t>(totals.input_tokens.sum), 1.0);
    text.histogram("gen_ai_client_token_usage", output, kTokenBounds, totals.output_tokens.counts,
                   static_cast<std::int64_t>(totals.output_tokens.sum), 1.0);
  });
  text.family("gen_ai_client_operation_duration_seconds", "histogram", "GenAI operation duration");
  genai_rows([&](Labels labels, const SeriesTotals& totals) {
    text.histogram("gen_ai_client_operation_duration_seconds", labels, kDurationBounds, totals.duration.counts,
                   static_cast<std::int64_t>(totals.duration.sum), kSeconds);
  });
  text.family("gen_ai_server_time_to_first_token_seconds", "histogram", "Time to generate the first token, for streams");
  genai_rows([&](Labels labels, const SeriesTotals& totals) {
    text.histogram("gen_ai_server_time_to_first_token_seconds", labels, kDurationBounds, totals.ttft.counts,
                   static_cast<std::int64_t>(totals.ttft.sum), kSeconds);
  });
}

}  // namespace switchyard::telemetry
