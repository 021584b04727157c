#include "corpus.h"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "http/sse.h"

namespace switchyard::bench {
namespace json = boost::json;
namespace {

// ---- The conversation ---------------------------------------------------------------------
// A developer talking to a coding assistant about a failing deployment: the kind of traffic
// (prose, code, quotes, newlines, the odd non-ASCII character) a gateway actually carries.

constexpr std::string_view kSystem =
    "You are DevHelper, a concise assistant for Acme's platform team. Use search_docs for internal "
    "services; never invent config keys.";

constexpr std::string_view kFirstQuestion = "Our payments-api pods crash-loop after the 2.14 rollout: \"OOMKilled\". Why?";

constexpr std::string_view kCallPreamble = "Checking the runbook.";

constexpr std::string_view kCallArgs = R"({"query":"payments-api OOMKilled","max_results":3})";

constexpr std::string_view kToolResult =
    R"({"results":[{"title":"payments-api runbook","snippet":"Limit 512Mi; 2.14 enables a 384 MB cache."}]})";

constexpr std::string_view kFirstAnswer =
    "2.14 enables a 384 MB cache inside a 512Mi limit, so heap plus cache exceed it. Lower "
    "`cache.size_mb` or raise the limit to 1Gi.";

constexpr std::string_view kLastQuestion = "Can you write the kubectl command to raise the limit?";

constexpr std::string_view kUserTurns[] = {
    "I lowered cache.size_mb to 128 and the pods are stable now, but p99 latency went from 80 ms to "
    "210 ms. Is that the cache being too small, or something else? Here is the Grafana summary:\n"
    "  p50=41ms p90=120ms p99=210ms, hit ratio 0.61 (was 0.93)",
    "Another thing: the readiness probe sometimes fails right after a deploy with \"connection "
    "refused\" on :8080/healthz. The probe is initialDelaySeconds: 5, periodSeconds: 10. Should I "
    "switch to a startupProbe?",
    "Can you show me how to log the cache hit ratio every minute from inside the service? We use "
    "Micrometer with the Prometheus registry, Java 21, Spring Boot 3.3.",
    "Ok, last question on this: the café-orders service shares the same base image. Will it hit the "
    "same problem when we bump it to 2.14 next week, or is its cache disabled by default?",
};

constexpr std::string_view kAssistantTurns[] = {
    "The drop in hit ratio (0.93 → 0.61) explains most of it: misses go to Postgres, which adds "
    "~100 ms at the tail. Options, in order of effort:\n\n1. Give the cache 256 MB and raise the "
    "memory limit to 768Mi, which keeps headroom for the heap.\n2. Cache only the hot keys "
    "(merchant profiles) by setting `cache.include=merchant:*`.\n3. Move the cache out of process "
    "(Redis), which removes it from the pod's memory budget entirely.\n\nI'd start with 1 and "
    "watch `cache_hit_ratio` for a day.",
    "Yes, a startupProbe is the right tool: it holds off the readiness and liveness probes until the "
    "app has started, instead of guessing a delay. For example:\n\n```yaml\nstartupProbe:\n  "
    "httpGet: {path: /healthz, port: 8080}\n  failureThreshold: 30\n  periodSeconds: 2\n```\n\n"
    "That allows up to 60 s for start-up and then hands over to your existing readinessProbe.",
    "With Micrometer you don't need a scheduler: register a gauge and Prometheus scrapes it.\n\n"
    "```java\nGauge.builder(\"cache_hit_ratio\", cache, c -> c.stats().hitRate())\n    "
    ".description(\"in-process cache hit ratio\")\n    .register(registry);\n```\n\nIf you really "
    "want a log line, a `@Scheduled(fixedRate = 60_000)` method that logs `cache.stats()` works too.",
    "Its chart sets `cache.enabled: false` explicitly, so the 2.14 default does not apply to it. I "
    "would still check the rendered manifest before the bump (`helm template café-orders . | grep "
    "-A2 cache`) because a values override could turn it on.",
};

json::value parameters_schema(bool openapi_types) {
  // Gemini's `parameters` takes the OpenAPI subset with upper-case type names.
  auto type = [&](const char* name) -> json::value {
    if (!openapi_types) return json::value(name);
    std::string upper(name);
    for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return json::value(upper);
  };
  json::object schema{
      {"type", type("object")},
      {"properties",
       json::object{
           {"query", json::object{{"type", type("string")}, {"description", "Full-text search query"}}},
           {"max_results", json::object{{"type", type("integer")}, {"minimum", 1}, {"maximum", 20}}},
           {"sources", json::object{{"type", type("array")},
                                    {"items", json::object{{"type", type("string")},
                                                           {"enum", json::array{"runbooks", "adrs", "wiki", "code"}}}}}},
       }},
      {"required", json::array{"query"}},
  };
  if (!openapi_types) schema["additionalProperties"] = false;
  return schema;
}

constexpr std::string_view kToolDescription = "Search Acme's internal docs.";

std::string_view user_turn(std::size_t i) { return kUserTurns[i % std::size(kUserTurns)]; }
std::string_view assistant_turn(std::size_t i) { return kAssistantTurns[i % std::size(kAssistantTurns)]; }

json::string jstr(std::string_view text) { return json::string(text); }

// Compact JSON as SDKs send it. Boost.JSON writes doubles as "3E-1"; SDKs write "0.3".
std::string wire(const json::object& body) {
  std::string text = json::serialize(body);
  for (auto [from, to] : {std::pair<std::string_view, std::string_view>{":3E-1", ":0.3"}, {":-7.12E-2", ":-0.0712"}}) {
    for (std::size_t at = text.find(from); at != std::string::npos; at = text.find(from, at)) text.replace(at, from.size(), to);
  }
  return text;
}

std::string openai_request(std::size_t fillers, bool stream) {
  json::array messages;
  messages.push_back(json::object{{"role", "system"}, {"content", jstr(kSystem)}});
  messages.push_back(json::object{{"role", "user"}, {"content", jstr(kFirstQuestion)}});
  messages.push_back(json::object{
      {"role", "assistant"},
      {"content", jstr(kCallPreamble)},
      {"tool_calls", json::array{json::object{
                         {"id", "call_Qx81mZ0bT4"},
                         {"type", "function"},
                         {"function", json::object{{"name", jstr(kToolName)}, {"arguments", jstr(kCallArgs)}}}}}}});
  messages.push_back(json::object{{"role", "tool"}, {"tool_call_id", "call_Qx81mZ0bT4"}, {"content", jstr(kToolResult)}});
  messages.push_back(json::object{{"role", "assistant"}, {"content", jstr(kFirstAnswer)}});
  for (std::size_t i = 0; i < fillers; ++i) {
    messages.push_back(json::object{{"role", "user"}, {"content", jstr(user_turn(i))}});
    messages.push_back(json::object{{"role", "assistant"}, {"content", jstr(assistant_turn(i))}});
  }
  messages.push_back(json::object{{"role", "user"}, {"content", jstr(kLastQuestion)}});
  json::object body{
      {"model", "gpt-4o-mini"},
      {"messages", std::move(messages)},
      {"tools", json::array{json::object{{"type", "function"},
                                         {"function", json::object{{"name", jstr(kToolName)},
                                                                   {"description", jstr(kToolDescription)},
                                                                   {"parameters", parameters_schema(false)}}}}}},
      {"tool_choice", "auto"},
      {"temperature", 0.3},
      {"max_completion_tokens", 1024},
  };
  if (stream) body["stream"] = true;  // without stream_options: the passthrough must add include_usage
  return wire(body);
}

std::string responses_request(std::size_t fillers, bool stream) {
  json::array input;
  auto message = [&](std::string_view role, std::string_view text) {
    input.push_back(json::object{{"role", role}, {"content", jstr(text)}});
  };
  message("user", kFirstQuestion);
  input.push_back(json::object{{"type", "message"},
                               {"role", "assistant"},
                               {"content", json::array{json::object{{"type", "output_text"}, {"text", jstr(kCallPreamble)}}}}});
  input.push_back(json::object{{"type", "function_call"}, {"call_id", "call_Qx81mZ0bT4"}, {"name", jstr(kToolName)},
                               {"arguments", jstr(kCallArgs)}});
  input.push_back(json::object{{"type", "function_call_output"}, {"call_id", "call_Qx81mZ0bT4"}, {"output", jstr(kToolResult)}});
  message("assistant", kFirstAnswer);
  for (std::size_t i = 0; i < fillers; ++i) {
    message("user", user_turn(i));
    message("assistant", assistant_turn(i));
  }
  message("user", kLastQuestion);
  json::object body{
      {"model", "gpt-4.1"},
      {"instructions", jstr(kSystem)},
      {"input", std::move(input)},
      {"tools", json::array{json::object{{"type", "function"},
                                         {"name", jstr(kToolName)},
                                         {"description", jstr(kToolDescription)},
                                         {"parameters", parameters_schema(false)},
                                         {"strict", false}}}},
      {"tool_choice", "auto"},
      {"temperature", 0.3},
      {"max_output_tokens", 1024},
      {"store", false},
  };
  if (stream) body["stream"] = true;
  return wire(body);
}

std::string anthropic_request(std::size_t fillers, bool stream) {
  json::array messages;
  messages.push_back(json::object{{"role", "user"}, {"content", jstr(kFirstQuestion)}});
  messages.push_back(json::object{
      {"role", "assistant"},
      {"content", json::array{json::object{{"type", "text"}, {"text", jstr(kCallPreamble)}},
                              json::object{{"type", "tool_use"},
                                           {"id", "toolu_01Qx81mZ0bT4"},
                                           {"name", jstr(kToolName)},
                                           {"input", json::parse(kCallArgs)}}}}});
  messages.push_back(json::object{
      {"role", "user"},
      {"content", json::array{json::object{
                      {"type", "tool_result"}, {"tool_use_id", "toolu_01Qx81mZ0bT4"}, {"content", jstr(kToolResult)}}}}});
  messages.push_back(json::object{{"role", "assistant"}, {"content", jstr(kFirstAnswer)}});
  for (std::size_t i = 0; i < fillers; ++i) {
    messages.push_back(json::object{{"role", "user"}, {"content", jstr(user_turn(i))}});
    messages.push_back(json::object{{"role", "assistant"}, {"content", jstr(assistant_turn(i))}});
  }
  messages.push_back(json::object{{"role", "user"}, {"content", jstr(kLastQuestion)}});
  json::object body{
      {"model", "claude-sonnet-4-5"},
      {"max_tokens", 1024},
      {"system", jstr(kSystem)},
      {"messages", std::move(messages)},
      {"tools", json::array{json::object{{"name", jstr(kToolName)},
                                         {"description", jstr(kToolDescription)},
                                         {"input_schema", parameters_schema(false)}}}},
      {"tool_choice", json::object{{"type", "auto"}}},
      {"temperature", 0.3},
  };
  if (stream) body["stream"] = true;
  return wire(body);
}

json::object gemini_text(std::string_view role, std::string_view text) {
  return json::object{{"role", jstr(role)}, {"parts", json::array{json::object{{"text", jstr(text)}}}}};
}

std::string gemini_request(std::size_t fillers) {
  json::array contents;
  contents.push_back(gemini_text("user", kFirstQuestion));
  contents.push_back(json::object{
      {"role", "model"},
      {"parts", json::array{json::object{{"text", jstr(kCallPreamble)}},
                            json::object{{"functionCall", json::object{{"name", jstr(kToolName)}, {"args", json::parse(kCallArgs)}}}}}}});
  contents.push_back(json::object{
      {"role", "user"},
      {"parts", json::array{json::object{
                    {"functionResponse", json::object{{"name", jstr(kToolName)}, {"response", json::parse(kToolResult)}}}}}}});
  contents.push_back(gemini_text("model", kFirstAnswer));
  for (std::size_t i = 0; i < fillers; ++i) {
    contents.push_back(gemini_text("user", user_turn(i)));
    contents.push_back(gemini_text("model", assistant_turn(i)));
  }
  contents.push_back(gemini_text("user", kLastQuestion));
  json::object body{
      {"systemInstruction", json::object{{"parts", json::array{json::object{{"text", jstr(kSystem)}}}}}},
      {"contents", std::move(contents)},
      {"tools", json::array{json::object{
                    {"functionDeclarations", json::array{json::object{{"name", jstr(kToolName)},
                                                                      {"description", jstr(kToolDescription)},
                                                                      {"parameters", parameters_schema(true)}}}}}}},
      {"toolConfig", json::object{{"functionCallingConfig", json::object{{"mode", "AUTO"}}}}},
      {"generationConfig", json::object{{"temperature", 0.3}, {"maxOutputTokens", 1024}}},
  };
  return wire(body);
}

std::string request_with(Dialect dialect, std::size_t fillers, bool stream) {
  switch (dialect) {
    case Dialect::openai_chat: return openai_request(fillers, stream);
    case Dialect::openai_responses: return responses_request(fillers, stream);
    case Dialect::anthropic_messages: return anthropic_request(fillers, stream);
    case Dialect::gemini: return gemini_request(fillers);
  }
  return {};
}

// ---- Responses ----------------------------------------------------------------------------

constexpr std::string_view kResponseText =
    "Here is the command. It patches the deployment in place, so the pods roll one at a time and "
    "the service stays up:\n\n```sh\nkubectl -n payments set resources deployment/payments-api \\\n"
    "  --containers=app --limits=memory=1Gi --requests=memory=768Mi\n```\n\nThen watch the rollout "
    "with `kubectl -n payments rollout status deployment/payments-api`. To keep the change, put the "
    "same values in the chart's values.yaml, or the next helm upgrade will revert them. I'll also "
    "look up whether the runbook documents a recommended limit for 2.14.";

constexpr std::string_view kResponseArgs = R"({"query":"payments-api 2.14 recommended memory limit","max_results":2})";

std::string openai_response() {
  json::object body{
      {"id", "chatcmpl-BRm3xK9qZ2vT7wLpY6aN1cD4eF8g"},
      {"object", "chat.completion"},
      {"created", 1741569952},
      {"model", "gpt-4o-mini-2024-07-18"},
      {"choices",
       json::array{json::object{
           {"index", 0},
           {"message", json::object{{"role", "assistant"},
                                    {"content", jstr(kResponseText)},
                                    {"refusal", nullptr},
                                    {"tool_calls", json::array{json::object{
                                                       {"id", "call_7fKq2LmN0pR3"},
                                                       {"type", "function"},
                                                       {"function", json::object{{"name", jstr(kToolName)},
                                                                                 {"arguments", jstr(kResponseArgs)}}}}}},
                                    {"annotations", json::array{}}}},
           {"logprobs", nullptr},
           {"finish_reason", "tool_calls"}}}},
      {"usage", json::object{{"prompt_tokens", 2345},
                             {"completion_tokens", 187},
                             {"total_tokens", 2532},
                             {"prompt_tokens_details", json::object{{"cached_tokens", 2048}, {"audio_tokens", 0}}},
                             {"completion_tokens_details", json::object{{"reasoning_tokens", 0},
                                                                        {"audio_tokens", 0},
                                                                        {"accepted_prediction_tokens", 0},
                                                                        {"rejected_prediction_tokens", 0}}}}},
      {"service_tier", "default"},
      {"system_fingerprint", "fp_06737a9306"},
  };
  return wire(body);
}

std::string responses_response() {
  json::object body{
      {"id", "resp_67ccd2bed1ec8190b14f"},
      {"object", "response"},
      {"created_at", 1741476542},
      {"status", "completed"},
      {"error", nullptr},
      {"incomplete_details", nullptr},
      {"model", "gpt-4.1-2025-04-14"},
      {"output",
       json::array{json::object{{"type", "message"},
                                {"id", "msg_67ccd2bf17f0"},
                                {"status", "completed"},
                                {"role", "assistant"},
                                {"content", json::array{json::object{{"type", "output_text"},
                                                                     {"text", jstr(kResponseText)},
                                                                     {"annotations", json::array{}},
                                                                     {"logprobs", json::array{}}}}}},
                   json::object{{"type", "function_call"},
                                {"id", "fc_67ccd2bf18a4"},
                                {"call_id", "call_7fKq2LmN0pR3"},
                                {"name", jstr(kToolName)},
                                {"arguments", jstr(kResponseArgs)},
                                {"status", "completed"}}}},
      {"parallel_tool_calls", true},
      {"store", false},
      {"usage", json::object{{"input_tokens", 2345},
                             {"input_tokens_details", json::object{{"cached_tokens", 2048}}},
                             {"output_tokens", 187},
                             {"output_tokens_details", json::object{{"reasoning_tokens", 0}}},
                             {"total_tokens", 2532}}},
  };
  return wire(body);
}

std::string anthropic_response() {
  json::object body{
      {"id", "msg_01Aq9w938a90dw8qR3xLmK2v"},
      {"type", "message"},
      {"role", "assistant"},
      {"model", "claude-sonnet-4-5-20250929"},
      {"content", json::array{json::object{{"type", "text"}, {"text", jstr(kResponseText)}},
                              json::object{{"type", "tool_use"},
                                           {"id", "toolu_01A09q90qw90lq917835lq9"},
                                           {"name", jstr(kToolName)},
                                           {"input", json::parse(kResponseArgs)}}}},
      {"stop_reason", "tool_use"},
      {"stop_sequence", nullptr},
      {"usage", json::object{{"input_tokens", 297},
                             {"cache_creation_input_tokens", 0},
                             {"cache_read_input_tokens", 2048},
                             {"cache_creation", json::object{{"ephemeral_5m_input_tokens", 0}, {"ephemeral_1h_input_tokens", 0}}},
                             {"output_tokens", 187},
                             {"service_tier", "standard"}}},
  };
  return wire(body);
}

std::string gemini_response() {
  json::object body{
      {"candidates",
       json::array{json::object{
           {"content", json::object{{"parts", json::array{json::object{{"text", jstr(kResponseText)}},
                                                          json::object{{"functionCall", json::object{{"name", jstr(kToolName)},
                                                                                                     {"args", json::parse(kResponseArgs)}}}}}},
                                    {"role", "model"}}},
           {"finishReason", "STOP"},
           {"avgLogprobs", -0.0712},
           {"index", 0}}}},
      {"usageMetadata", json::object{{"promptTokenCount", 2345},
                                     {"candidatesTokenCount", 187},
                                     {"totalTokenCount", 2532},
                                     {"cachedContentTokenCount", 2048},
                                     {"promptTokensDetails", json::array{json::object{{"modality", "TEXT"}, {"tokenCount", 2345}}}}}},
      {"modelVersion", "gemini-2.5-flash"},
      {"responseId", "r7QxZ-2kLpW9mN3vT6yA"},
  };
  return wire(body);
}

// ---- Streams ------------------------------------------------------------------------------

[[noreturn]] void die(const std::string& message) {
  std::fprintf(stderr, "switchyard_micro: %s\n", message.c_str());
  std::exit(2);
}

std::string fixtures_dir() {
  if (const char* dir = std::getenv("SWITCHYARD_FIXTURES_DIR")) return dir;
  return SWITCHYARD_FIXTURES;
}

std::string read_fixture(const std::string& relative) {
  std::string path = fixtures_dir() + "/" + relative;
  std::ifstream file(path, std::ios::binary);
  if (!file) die("missing fixture " + path + " (set SWITCHYARD_FIXTURES_DIR to tests/fixtures)");
  std::stringstream text;
  text << file.rdbuf();
  return text.str();
}

// The first recorded frame containing every one of `needles`.
std::string frame_with(const std::vector<std::string>& frames, std::initializer_list<std::string_view> needles,
                       std::string_view fixture) {
  for (const std::string& frame : frames) {
    bool all = true;
    for (std::string_view needle : needles) all = all && frame.find(needle) != std::string::npos;
    if (all) return frame;
  }
  die("no frame with " + std::string(*needles.begin()) + " in " + std::string(fixture));
}

std::string replace_once(std::string text, std::string_view needle, std::string_view replacement) {
  std::size_t at = text.find(needle);
  if (at == std::string::npos) die("fixture frame lacks " + std::string(needle) + ": " + text);
  text.replace(at, needle.size(), replacement);
  return text;
}

// One token-sized piece of the answer per delta, as models stream them.
std::vector<std::string> tokens(std::size_t count) {
  std::vector<std::string> out;
  std::string_view text = kResponseText;
  std::size_t at = 0;
  while (out.size() < count) {
    if (at >= text.size()) at = 0;
    std::size_t end = text.find_first_of(" \n", at + 1);
    if (end == std::string_view::npos || end - at > 8) end = std::min(text.size(), at + 6);
    out.emplace_back(text.substr(at, end - at));
    at = end;
  }
  return out;
}

std::string quoted(std::string_view text) { return json::serialize(json::string(text)); }

std::string openai_stream(std::size_t deltas) {
  auto text = split_frames(read_fixture("openai/openai.chat.stream.text.sse"));
  auto tool = split_frames(read_fixture("openai/openai.chat.stream.tool_calls.sse"));
  constexpr std::string_view fx = "openai.chat.stream.*.sse";
  std::string out = frame_with(text, {"\"role\":\"assistant\""}, fx);
  std::string delta = frame_with(text, {"\"content\":\"Hel\""}, fx);
  for (const std::string& token : tokens(deltas)) out += replace_once(delta, "\"Hel\"", quoted(token));
  out += replace_once(frame_with(tool, {"\"id\":\"call_a1\""}, fx), "get_weather", kToolName);
  out += frame_with(tool, {"\"arguments\":\"{\\\"ci\""}, fx);
  out += frame_with(tool, {"\"arguments\":\"ty\\"}, fx);
  out += frame_with(tool, {"\"finish_reason\":\"tool_calls\""}, fx);
  out += frame_with(tool, {"\"choices\":[]", "\"prompt_tokens\""}, fx);
  out += frame_with(tool, {"[DONE]"}, fx);
  return out;
}

std::string responses_stream(std::size_t deltas) {
  auto frames = split_frames(read_fixture("openai/openai.responses.stream.text_and_tool.sse"));
  constexpr std::string_view fx = "openai.responses.stream.text_and_tool.sse";
  std::string out = frame_with(frames, {"event: response.created"}, fx);
  out += frame_with(frames, {"event: response.in_progress"}, fx);
  out += frame_with(frames, {"event: response.output_item.added", "\"type\":\"message\""}, fx);
  out += frame_with(frames, {"event: response.content_part.added"}, fx);
  std::string delta = frame_with(frames, {"\"delta\":\"Check\""}, fx);
  for (const std::string& token : tokens(deltas)) out += replace_once(delta, "\"Check\"", quoted(token));
  for (std::string_view event : {"event: response.output_text.done", "event: response.content_part.done"}) {
    out += frame_with(frames, {event}, fx);
  }
  out += frame_with(frames, {"event: response.output_item.done", "\"type\":\"message\""}, fx);
  out += replace_once(frame_with(frames, {"event: response.output_item.added", "\"type\":\"function_call\""}, fx),
                      "get_weather", kToolName);
  out += frame_with(frames, {"event: response.function_call_arguments.delta", "{\\\"city\\\":"}, fx);
  out += frame_with(frames, {"event: response.function_call_arguments.delta", "Paris"}, fx);
  out += frame_with(frames, {"event: response.function_call_arguments.done"}, fx);
  out += replace_once(frame_with(frames, {"event: response.output_item.done", "\"type\":\"function_call\""}, fx),
                      "get_weather", kToolName);
  out += frame_with(frames, {"event: response.completed"}, fx);
  return out;
}

std::string anthropic_stream(std::size_t deltas) {
  auto text = split_frames(read_fixture("anthropic/anthropic.messages.stream.text.sse"));
  auto tool = split_frames(read_fixture("anthropic/anthropic.messages.stream.thinking_tool_use.sse"));
  constexpr std::string_view fx = "anthropic.messages.stream.*.sse";
  std::string out = frame_with(text, {"event: message_start"}, fx);
  out += frame_with(text, {"event: content_block_start", "\"type\":\"text\""}, fx);
  out += frame_with(text, {"event: ping"}, fx);
  std::string delta = frame_with(text, {"\"text\":\"Hel\""}, fx);
  for (const std::string& token : tokens(deltas)) out += replace_once(delta, "\"Hel\"", quoted(token));
  out += frame_with(text, {"event: content_block_stop"}, fx);
  // The recorded tool call is block 2 (after thinking and text); here it follows text block 0.
  auto as_block_1 = [](std::string frame) { return replace_once(std::move(frame), "\"index\":2", "\"index\":1"); };
  out += as_block_1(replace_once(frame_with(tool, {"\"id\":\"toolu_01A\""}, fx), "get_weather", kToolName));
  out += as_block_1(frame_with(tool, {"\"index\":2", "\"partial_json\":\"\""}, fx));
  out += as_block_1(frame_with(tool, {"\"index\":2", "Pa\""}, fx));
  out += as_block_1(frame_with(tool, {"\"index\":2", "ris"}, fx));
  out += as_block_1(frame_with(tool, {"event: content_block_stop", "\"index\":2"}, fx));
  out += frame_with(tool, {"event: message_delta"}, fx);
  out += frame_with(tool, {"event: message_stop"}, fx);
  return out;
}

std::string gemini_stream(std::size_t deltas) {
  auto text = split_frames(read_fixture("gemini/gemini.stream.text.sse"));
  auto call = split_frames(read_fixture("gemini/gemini.stream.function_call.sse"));
  constexpr std::string_view fx = "gemini.stream.*.sse";
  std::string first = frame_with(text, {"\"text\":\"Hel\""}, fx);
  std::string next = frame_with(text, {"\"text\":\"lo!\""}, fx);
  std::string out;
  auto pieces = tokens(deltas);
  for (std::size_t i = 0; i < pieces.size(); ++i) {
    out += i == 0 ? replace_once(first, "\"Hel\"", quoted(pieces[i])) : replace_once(next, "\"lo!\"", quoted(pieces[i]));
  }
  std::string last = frame_with(call, {"functionCall", "\"finishReason\":\"STOP\""}, fx);
  last = replace_once(replace_once(std::move(last), "get_weather", kToolName), "get_weather", kToolName);
  out += last;
  return out;
}

}  // namespace

std::string make_request(Dialect dialect, std::size_t target_bytes, bool stream) {
  // The size grows with the filler turns: find the fewest that reach the target by doubling,
  // then bisecting (a linear search serialises 100 KB bodies a hundred times at start-up).
  if (std::string body = request_with(dialect, 0, stream); body.size() >= target_bytes) return body;
  std::size_t low = 0;  // too small
  std::size_t high = 1;
  while (request_with(dialect, high, stream).size() < target_bytes) {
    low = high;
    high *= 2;
  }
  while (high - low > 1) {
    std::size_t mid = low + (high - low) / 2;
    (request_with(dialect, mid, stream).size() < target_bytes ? low : high) = mid;
  }
  return request_with(dialect, high, stream);
}

std::string make_response(Dialect dialect) {
  switch (dialect) {
    case Dialect::openai_chat: return openai_response();
    case Dialect::openai_responses: return responses_response();
    case Dialect::anthropic_messages: return anthropic_response();
    case Dialect::gemini: return gemini_response();
  }
  return {};
}

std::string make_stream(Dialect dialect, std::size_t text_deltas) {
  switch (dialect) {
    case Dialect::openai_chat: return openai_stream(text_deltas);
    case Dialect::openai_responses: return responses_stream(text_deltas);
    case Dialect::anthropic_messages: return anthropic_stream(text_deltas);
    case Dialect::gemini: return gemini_stream(text_deltas);
  }
  return {};
}

std::vector<std::string> split_frames(std::string_view bytes) {
  http::SseFrameSplitter splitter;
  splitter.feed(bytes);
  std::vector<std::string> frames;
  for (auto frame = splitter.next_frame(); !frame.empty(); frame = splitter.next_frame()) frames.emplace_back(frame);
  return frames;
}

std::string human_bytes(std::size_t bytes) {
  char text[32];
  std::snprintf(text, sizeof text, "%.1f KB", static_cast<double>(bytes) / 1024.0);
  return text;
}

}  // namespace switchyard::bench
