// Google Benchmark micro-benchmarks of the dialect codecs, through the same DialectCodec
// tables the gateway runs (codec_for). How to build and run: bench/micro/run.sh.
//
// Every benchmark first runs its operation once and checks the result (decode succeeded,
// output non-empty and still carrying the tool call / model), and reports an error instead
// of a figure when it does not: a broken codec cannot post a fast meaningless time.
//
// Names read as BM_<What>/<dialect or source->target>/<size>, e.g.
// BM_Translate/openai->anthropic/10KB; filter with --benchmark_filter=REGEX.
#include <benchmark/benchmark.h>

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "corpus.h"
#include "dialects/codec.h"
#include "http/sse.h"

namespace switchyard::bench {
namespace {

struct SizeCase {
  const char* name;
  std::size_t bytes;
};
constexpr SizeCase kSizes[] = {{"1KB", 1024}, {"10KB", 10 * 1024}, {"100KB", 100 * 1024}};

// Text deltas in the benchmark streams: an answer of a few hundred tokens.
constexpr std::size_t kStreamTextDeltas = 200;

std::string name(Dialect dialect) { return std::string(dialect_name(dialect)); }
std::string pair(Dialect source, Dialect target) { return name(source) + "->" + name(target); }

// The model the gateway's URL-routed dialect (Gemini) takes from the path.
constexpr std::string_view kPathModel = "gemini-2.5-flash";

canonical::EncodeOptions encode_options() {
  canonical::EncodeOptions options;
  options.upstream_model = std::string(kUpstreamModel);
  options.provider = "bench";
  // The default (reject): the corpus only uses what all three dialects carry.
  return options;
}

bool contains(std::string_view haystack, std::string_view needle) { return haystack.find(needle) != std::string_view::npos; }

// A canonical request must still hold the conversation: the tool, its call and result.
std::string check_request(const canonical::Request& request) {
  if (request.messages.size() < 5) return "decoded request lost messages";
  if (request.tools.size() != 1 || request.tools[0].name != kToolName) return "decoded request lost the tool";
  bool call = false;
  bool result = false;
  for (const auto& message : request.messages) {
    for (const auto& block : message.content) {
      call = call || std::holds_alternative<canonical::ToolCallBlock>(block);
      result = result || std::holds_alternative<canonical::ToolResultBlock>(block);
    }
  }
  if (!call || !result) return "decoded request lost the tool call or its result";
  return {};
}

// Every request body of `dialect` is encoded with the upstream model, except Gemini's (the
// model travels in the URL); all name the tool.
std::string check_encoded_request(Dialect target, std::string_view body) {
  if (body.empty()) return "empty body";
  if (!contains(body, kToolName)) return "encoded body lost the tool";
  if (target != Dialect::gemini && !contains(body, kUpstreamModel)) return "encoded body lacks the upstream model";
  return {};
}

// ---- 1. Requests: decode and encode in each dialect, 1 / 10 / 100 KB ---------------------

void register_request_benchmarks() {
  for (Dialect dialect : kDialects) {
    for (const SizeCase& size : kSizes) {
      std::string body = make_request(dialect, size.bytes);
      std::string label = human_bytes(body.size());
      benchmark::RegisterBenchmark(("BM_RequestDecode/" + name(dialect) + "/" + size.name).c_str(),
                                   [dialect, body, label](benchmark::State& state) {
                                     const DialectCodec& codec = codec_for(dialect);
                                     auto once = codec.decode_request(body, kPathModel, false);
                                     if (!once) return state.SkipWithError(("decode failed: " + once.error().message).c_str());
                                     if (auto bad = check_request(once.value()); !bad.empty()) return state.SkipWithError(bad.c_str());
                                     for (auto _ : state) {
                                       auto decoded = codec.decode_request(body, kPathModel, false);
                                       benchmark::DoNotOptimize(decoded);
                                     }
                                     state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * body.size()));
                                     state.SetLabel(label);
                                   })
          ->Unit(benchmark::kMicrosecond);
      benchmark::RegisterBenchmark(("BM_RequestEncode/" + name(dialect) + "/" + size.name).c_str(),
                                   [dialect, body, label](benchmark::State& state) {
                                     const DialectCodec& codec = codec_for(dialect);
                                     auto request = codec.decode_request(body, kPathModel, false);
                                     if (!request) return state.SkipWithError(("decode failed: " + request.error().message).c_str());
                                     const auto options = encode_options();
                                     auto once = codec.encode_request(request.value(), options);
                                     if (!once) return state.SkipWithError(("encode failed: " + once.error().message).c_str());
                                     if (auto bad = check_encoded_request(dialect, once.value()); !bad.empty()) {
                                       return state.SkipWithError(bad.c_str());
                                     }
                                     for (auto _ : state) {
                                       auto encoded = codec.encode_request(request.value(), options);
                                       benchmark::DoNotOptimize(encoded);
                                     }
                                     state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * once.value().size()));
                                     state.SetLabel(label + " in, " + human_bytes(once.value().size()) + " out");
                                   })
          ->Unit(benchmark::kMicrosecond);
    }
  }
}

// ---- 2. Translation: decode with the source, encode with the target, 3x3 at 10 KB --------

void register_translate_benchmarks() {
  for (const SizeCase& size : kSizes) {
    if (size.bytes != 10 * 1024) continue;  // the target is per 10 KB translation
    for (Dialect source : kDialects) {
      std::string body = make_request(source, size.bytes);
      for (Dialect target : kDialects) {
        benchmark::RegisterBenchmark(
            ("BM_Translate/" + pair(source, target) + "/" + size.name).c_str(),
            [source, target, body](benchmark::State& state) {
              const DialectCodec& from = codec_for(source);
              const DialectCodec& to = codec_for(target);
              const auto options = encode_options();
              auto decoded = from.decode_request(body, kPathModel, false);
              if (!decoded) return state.SkipWithError(("decode failed: " + decoded.error().message).c_str());
              if (auto bad = check_request(decoded.value()); !bad.empty()) return state.SkipWithError(bad.c_str());
              auto encoded = to.encode_request(decoded.value(), options);
              if (!encoded) return state.SkipWithError(("encode failed: " + encoded.error().message).c_str());
              if (auto bad = check_encoded_request(target, encoded.value()); !bad.empty()) return state.SkipWithError(bad.c_str());
              for (auto _ : state) {
                auto request = from.decode_request(body, kPathModel, false);
                auto out = to.encode_request(request.value(), options);
                benchmark::DoNotOptimize(out);
              }
              state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * body.size()));
              state.SetLabel(human_bytes(body.size()) + " -> " + human_bytes(encoded.value().size()));
            })
            ->Unit(benchmark::kMicrosecond);
      }
    }
  }
}

// ---- 3. Passthrough: inspect_request + passthrough_body; usage_from_response -------------

void register_passthrough_benchmarks() {
  struct Case {
    Dialect dialect;
    bool stream;
    std::string suffix;
  };
  const std::vector<Case> cases = {{Dialect::openai_chat, false, ""},
                                   {Dialect::openai_chat, true, "-stream"},
                                   {Dialect::anthropic_messages, false, ""},
                                   {Dialect::gemini, false, ""}};
  for (const Case& c : cases) {
    for (const SizeCase& size : kSizes) {
      std::string body = make_request(c.dialect, size.bytes, c.stream);
      Dialect dialect = c.dialect;
      benchmark::RegisterBenchmark(
          ("BM_Passthrough/" + name(dialect) + c.suffix + "/" + size.name).c_str(),
          [dialect, body](benchmark::State& state) {
            const DialectCodec& codec = codec_for(dialect);
            auto view = codec.inspect_request(body, kPathModel, false);
            if (!view) return state.SkipWithError(("inspect failed: " + view.error().message).c_str());
            std::string once = codec.passthrough_body(body, view.value(), kUpstreamModel);
            if (once.size() < body.size() / 2 || !contains(once, kToolName)) return state.SkipWithError("passthrough body lost content");
            if (dialect != Dialect::gemini && !contains(once, kUpstreamModel)) return state.SkipWithError("passthrough kept the client's model");
            for (auto _ : state) {
              auto inspected = codec.inspect_request(body, kPathModel, false);
              std::string out = codec.passthrough_body(body, inspected.value(), kUpstreamModel);
              benchmark::DoNotOptimize(out);
            }
            state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * body.size()));
            state.SetLabel(human_bytes(body.size()));
          })
          ->Unit(benchmark::kMicrosecond);
    }
  }
  for (Dialect dialect : kDialects) {
    std::string body = make_response(dialect);
    benchmark::RegisterBenchmark(("BM_UsageFromResponse/" + name(dialect)).c_str(),
                                 [dialect, body](benchmark::State& state) {
                                   const DialectCodec& codec = codec_for(dialect);
                                   Usage once = codec.usage_from_response(body);
                                   if (!once.reported || once.input_tokens <= 0 || once.output_tokens != 187) {
                                     return state.SkipWithError("usage not read from the response");
                                   }
                                   for (auto _ : state) {
                                     Usage usage = codec.usage_from_response(body);
                                     benchmark::DoNotOptimize(usage);
                                   }
                                   state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * body.size()));
                                   state.SetLabel(human_bytes(body.size()));
                                 })
        ->Unit(benchmark::kMicrosecond);
  }
}

// ---- 4. Responses: decode with the upstream's dialect, encode in the client's, 3x3 -------

void register_response_benchmarks() {
  for (Dialect source : kDialects) {
    std::string body = make_response(source);
    for (Dialect target : kDialects) {
      benchmark::RegisterBenchmark(
          ("BM_Response/" + pair(source, target)).c_str(),
          [source, target, body](benchmark::State& state) {
            const DialectCodec& from = codec_for(source);
            const DialectCodec& to = codec_for(target);
            auto decoded = from.decode_response(body);
            if (!decoded) return state.SkipWithError(("decode failed: " + decoded.error().message).c_str());
            if (decoded->content.size() < 2 || !decoded->usage.reported) return state.SkipWithError("decoded response lost content or usage");
            std::string once = to.encode_response(decoded.value(), kClientModel);
            if (!contains(once, kToolName) || !contains(once, "kubectl")) return state.SkipWithError("encoded response lost content");
            for (auto _ : state) {
              auto response = from.decode_response(body);
              std::string out = to.encode_response(response.value(), kClientModel);
              benchmark::DoNotOptimize(out);
            }
            state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * body.size()));
            state.SetLabel(human_bytes(body.size()) + " -> " + human_bytes(once.size()));
          })
          ->Unit(benchmark::kMicrosecond);
    }
  }
}

// ---- 5. Streams: upstream SSE events decoded and re-encoded for the client, 3x3 ----------

// One pass over a parsed upstream stream, as the relay does it: per upstream event, decode to
// canonical events and encode them into the client's frames (the buffer is flushed per event,
// so it is cleared, keeping its capacity). `all` collects everything when given.
bool translate_stream(const DialectCodec& from, const DialectCodec& to, const std::vector<http::SseEvent>& upstream,
                      std::vector<canonical::StreamEvent>& events, std::string& frames, std::string* all) {
  auto decoder = from.make_stream_decoder();
  auto encoder = to.make_stream_encoder(std::string(kClientModel), true);
  for (const http::SseEvent& event : upstream) {
    events.clear();
    frames.clear();
    decoder->decode(event, events);
    for (const auto& canonical_event : events) encoder->encode(canonical_event, frames);
    if (all) *all += frames;
  }
  events.clear();
  frames.clear();
  bool complete = decoder->finish(events);
  for (const auto& canonical_event : events) encoder->encode(canonical_event, frames);
  if (all) *all += frames;
  return complete;
}

struct ParsedStream {
  std::vector<std::string> frames;
  std::vector<http::SseEvent> events;
};

void register_stream_benchmarks() {
  for (Dialect source : kDialects) {
    std::string bytes = make_stream(source, kStreamTextDeltas);
    // The events are views into their frames, so the benchmarks share one copy of both.
    auto parsed = std::make_shared<ParsedStream>();
    parsed->frames = split_frames(bytes);
    for (const std::string& frame : parsed->frames) parsed->events.push_back(http::parse_sse_frame(frame));
    std::shared_ptr<const ParsedStream> stream = parsed;
    std::vector<std::string> frames = parsed->frames;
    for (Dialect target : kDialects) {
      benchmark::RegisterBenchmark(
          ("BM_Stream/" + pair(source, target)).c_str(),
          [source, target, stream, bytes](benchmark::State& state) {
            const std::vector<http::SseEvent>& upstream = stream->events;
            const DialectCodec& from = codec_for(source);
            const DialectCodec& to = codec_for(target);
            std::vector<canonical::StreamEvent> events;
            std::string frames;
            std::string all;
            if (!translate_stream(from, to, upstream, events, frames, &all)) return state.SkipWithError("stream decoder says the stream was cut short");
            if (!contains(all, kToolName) || !contains(all, "kubectl")) return state.SkipWithError("translated stream lost content");
            if (target != Dialect::gemini && !contains(all, kClientModel)) return state.SkipWithError("translated stream lacks the client model");
            for (auto _ : state) {
              bool complete = translate_stream(from, to, upstream, events, frames, nullptr);
              benchmark::DoNotOptimize(complete);
              benchmark::DoNotOptimize(frames.data());
            }
            state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * upstream.size()));
            state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * bytes.size()));
            state.SetLabel(std::to_string(upstream.size()) + " events, " + human_bytes(bytes.size()) + " -> " +
                           human_bytes(all.size()));
          })
          ->Unit(benchmark::kMicrosecond);
    }
    // The two halves apart, to see which side of a BM_Stream pair the time is in.
    benchmark::RegisterBenchmark(
        ("BM_StreamDecode/" + name(source)).c_str(),
        [source, stream](benchmark::State& state) {
          const std::vector<http::SseEvent>& upstream = stream->events;
          const DialectCodec& codec = codec_for(source);
          auto run = [&](std::size_t& produced) {
            auto decoder = codec.make_stream_decoder();
            std::vector<canonical::StreamEvent> events;
            for (const http::SseEvent& event : upstream) {
              events.clear();
              decoder->decode(event, events);
              produced += events.size();
            }
            events.clear();
            bool complete = decoder->finish(events);
            return complete;
          };
          std::size_t produced = 0;
          if (!run(produced) || produced < kStreamTextDeltas) return state.SkipWithError("decoder lost events or the stream end");
          for (auto _ : state) {
            std::size_t sink = 0;
            benchmark::DoNotOptimize(run(sink));
            benchmark::DoNotOptimize(sink);
          }
          state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * upstream.size()));
          state.SetLabel(std::to_string(upstream.size()) + " events in, " + std::to_string(produced) + " canonical out");
        })
        ->Unit(benchmark::kMicrosecond);
    {
      // The client side: this dialect's encoder fed the canonical events of the OpenAI stream.
      std::vector<canonical::StreamEvent> canonical_events;
      auto decoder = codec_for(Dialect::openai_chat).make_stream_decoder();
      for (const std::string& frame : split_frames(make_stream(Dialect::openai_chat, kStreamTextDeltas))) {
        decoder->decode(http::parse_sse_frame(frame), canonical_events);
      }
      bool complete = decoder->finish(canonical_events);
      Dialect target = source;
      benchmark::RegisterBenchmark(
          ("BM_StreamEncode/" + name(target)).c_str(),
          [target, canonical_events, complete](benchmark::State& state) {
            const DialectCodec& codec = codec_for(target);
            std::string frames;
            auto run = [&](std::string* all) {
              auto encoder = codec.make_stream_encoder(std::string(kClientModel), true);
              for (const auto& event : canonical_events) {
                frames.clear();
                encoder->encode(event, frames);
                if (all) *all += frames;
              }
            };
            std::string all;
            run(&all);
            if (!complete || !contains(all, kToolName) || !contains(all, "kubectl")) return state.SkipWithError("encoder lost content");
            for (auto _ : state) {
              run(nullptr);
              benchmark::DoNotOptimize(frames.data());
            }
            state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * canonical_events.size()));
            state.SetLabel(std::to_string(canonical_events.size()) + " canonical events in, " + human_bytes(all.size()) + " out");
          })
          ->Unit(benchmark::kMicrosecond);
    }
    // The same-dialect relay: frames go through byte for byte, the tap meters them.
    benchmark::RegisterBenchmark(
        ("BM_StreamPassthroughTap/" + name(source)).c_str(),
        [source, frames, bytes](benchmark::State& state) {
          const DialectCodec& codec = codec_for(source);
          auto tap = codec.make_passthrough_tap(true);
          std::size_t forwarded = 0;
          for (const std::string& frame : frames) forwarded += tap->on_frame(frame) ? 1 : 0;
          if (forwarded < frames.size() - 1 || tap->saw_error() || !tap->usage().reported || tap->usage().output_tokens <= 0) {
            return state.SkipWithError("the tap did not meter the stream");
          }
          for (auto _ : state) {
            auto meter = codec.make_passthrough_tap(true);
            for (const std::string& frame : frames) benchmark::DoNotOptimize(meter->on_frame(frame));
            benchmark::DoNotOptimize(meter->usage());
          }
          state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * frames.size()));
          state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * bytes.size()));
          state.SetLabel(std::to_string(frames.size()) + " events, " + human_bytes(bytes.size()));
        })
        ->Unit(benchmark::kMicrosecond);
  }
}

// ---- 6. The SSE parser: frames split from network-sized chunks and parsed ----------------

void register_sse_benchmarks() {
  struct Chunk {
    const char* name;
    std::size_t bytes;
  };
  constexpr Chunk kChunks[] = {{"64B", 64}, {"1KB", 1024}, {"16KB", 16 * 1024}};
  for (Dialect dialect : kDialects) {
    std::string bytes = make_stream(dialect, kStreamTextDeltas);
    std::size_t expected = split_frames(bytes).size();
    for (const Chunk& chunk : kChunks) {
      std::size_t chunk_bytes = chunk.bytes;
      benchmark::RegisterBenchmark(
          ("BM_SseParse/" + name(dialect) + "/" + chunk.name).c_str(),
          [bytes, expected, chunk_bytes](benchmark::State& state) {
            auto run = [&](std::size_t& data_bytes) {
              http::SseFrameSplitter splitter;
              std::size_t frames = 0;
              for (std::size_t at = 0; at < bytes.size(); at += chunk_bytes) {
                splitter.feed(std::string_view(bytes).substr(at, chunk_bytes));
                for (auto frame = splitter.next_frame(); !frame.empty(); frame = splitter.next_frame()) {
                  http::SseEvent event = http::parse_sse_frame(frame);
                  data_bytes += event.data().size();
                  benchmark::DoNotOptimize(event);
                  ++frames;
                }
              }
              return frames;
            };
            std::size_t data_bytes = 0;
            if (run(data_bytes) != expected || data_bytes == 0) return state.SkipWithError("the splitter lost frames");
            for (auto _ : state) {
              std::size_t sink = 0;
              benchmark::DoNotOptimize(run(sink));
            }
            state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * expected));
            state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * bytes.size()));
            state.SetLabel(std::to_string(expected) + " frames, " + human_bytes(bytes.size()));
          })
          ->Unit(benchmark::kMicrosecond);
    }
  }
}

}  // namespace

void register_all() {
  register_request_benchmarks();
  register_translate_benchmarks();
  register_passthrough_benchmarks();
  register_response_benchmarks();
  register_stream_benchmarks();
  register_sse_benchmarks();
}

}  // namespace switchyard::bench

int main(int argc, char** argv) {
  switchyard::bench::register_all();
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
