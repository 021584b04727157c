#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <random>
#include <span>
#include <vector>

#include "../random_json.h"

#include "../fixtures.h"
#include "dialects/openai/chat_stream.h"
#include "dialects/openai/chunk_scan.h"
#include "dialects/openai/usage.h"
#include "http/sse.h"

namespace switchyard::openai {
namespace {

struct Relayed {
  std::string bytes;
  int frames = 0;
};

Relayed relay(ChatStreamTap& tap, const std::string& stream) {
  http::SseFrameSplitter splitter;
  Relayed out;
  // Feed in awkward 7-byte pieces, as a network might deliver them.
  for (std::size_t i = 0; i < stream.size(); i += 7) {
    splitter.feed(std::string_view(stream).substr(i, 7));
    for (auto frame = splitter.next_frame(); !frame.empty(); frame = splitter.next_frame()) {
      if (tap.on_frame(frame)) {
        out.bytes.append(frame);
        ++out.frames;
      }
    }
  }
  return out;
}

TEST(OpenAIChatStream, RelaysEveryFrameUnchangedWhenTheClientAskedForUsage) {
  std::string stream = testing::read_fixture("openai/openai.chat.stream.text.sse");
  ChatStreamTap tap(true);
  Relayed out = relay(tap, stream);
  EXPECT_EQ(out.bytes, stream);
  EXPECT_TRUE(tap.usage().reported);
  EXPECT_EQ(tap.usage().input_tokens, 19);
  EXPECT_EQ(tap.usage().output_tokens, 3);
  EXPECT_EQ(tap.finish_reason(), "stop");
  EXPECT_TRUE(tap.saw_done());
  EXPECT_FALSE(tap.saw_error());
}

TEST(OpenAIChatStream, WithholdsOnlyTheUsageChunkTheGatewayAskedFor) {
  std::string stream = testing::read_fixture("openai/openai.chat.stream.text.sse");
  ChatStreamTap tap(false);
  Relayed out = relay(tap, stream);
  EXPECT_EQ(out.frames, 5);  // 6 frames upstream, minus the usage-only chunk
  EXPECT_EQ(out.bytes.find("\"choices\":[]"), std::string::npos);
  EXPECT_NE(out.bytes.find("data: [DONE]"), std::string::npos);
  EXPECT_EQ(tap.usage().input_tokens, 19);  // still metered
}

TEST(OpenAIChatStream, StreamsWithoutUsageAreRelayedWhole) {
  std::string stream = testing::read_fixture("openai/openai.chat.stream.text.no_usage.sse");
  ChatStreamTap tap(false);
  EXPECT_EQ(relay(tap, stream).bytes, stream);
  EXPECT_FALSE(tap.usage().reported);
}

TEST(OpenAIChatStream, FindsMembersWhateverTheSpacingAndIgnoresLookAlikesInText) {
  // Servers other than OpenAI's put spaces around colons; a model may write "usage": in its
  // answer, which arrives escaped inside a string.
  std::string stream =
      "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"say \\\"usage\\\": {1}\"},"
      "\"finish_reason\": null}], \"usage\": null}\n\n"
      "data: {\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\" :\t\"length\"}]}\n\n"
      "data: {\"choices\": [], \"usage\" : {\"prompt_tokens\": 5, \"completion_tokens\": 2}}\n\n"
      "data: [DONE]\n\n";
  ChatStreamTap tap(false);
  Relayed out = relay(tap, stream);
  EXPECT_EQ(out.frames, 3);  // the usage-only chunk was the gateway's to ask for, not the client's
  EXPECT_EQ(tap.finish_reason(), "length");
  EXPECT_TRUE(tap.usage().reported);
  EXPECT_EQ(tap.usage().input_tokens, 5);
  EXPECT_EQ(tap.usage().output_tokens, 2);
  EXPECT_FALSE(tap.saw_error());
}

TEST(OpenAIChatStream, NoticesInStreamErrors) {
  std::string stream = testing::read_fixture("openai/openai.chat.stream.error_midstream.sse");
  ChatStreamTap tap(false);
  EXPECT_EQ(relay(tap, stream).bytes, stream);
  EXPECT_TRUE(tap.saw_error());
}

TEST(OpenAIUsage, ReadsUsageFromACompleteResponse) {
  Usage usage = usage_from_response(testing::read_fixture("openai/openai.chat.response.text.json"));
  EXPECT_TRUE(usage.reported);
  EXPECT_EQ(usage.input_tokens, 19);
  EXPECT_EQ(usage.output_tokens, 3);
  EXPECT_EQ(usage.cache_read_tokens, 0);
  EXPECT_FALSE(usage_from_response("not json").reported);
}

TEST(OpenAIUsage, ReadsCacheAndReasoningDetails) {
  Usage usage = usage_from_response(
      R"({"usage":{"prompt_tokens":100,"completion_tokens":50,"prompt_tokens_details":{"cached_tokens":80},)"
      R"("completion_tokens_details":{"reasoning_tokens":30}}})");
  EXPECT_EQ(usage.cache_read_tokens, 80);
  EXPECT_EQ(usage.reasoning_tokens, 30);
}

TEST(OpenAIUsage, TakesCountsOnlyFromWhereTheyBelong) {
  // Same-named keys in other sections, nested deeper, or holding containers are not counts.
  Usage usage = usage_from_response(
      R"({"choices":[{"usage":{"prompt_tokens":7}}],"usage":{"extra":{"prompt_tokens":9,"cached_tokens":9},)"
      R"("completion_tokens":[4],"completion_tokens_details":{"cached_tokens":9,"reasoning_tokens":2},)"
      R"("prompt_tokens":12,"prompt_tokens_details":{"reasoning_tokens":9,"cached_tokens":5}}})");
  EXPECT_TRUE(usage.reported);
  EXPECT_EQ(usage.input_tokens, 12);
  EXPECT_EQ(usage.output_tokens, 0);
  EXPECT_EQ(usage.cache_read_tokens, 5);
  EXPECT_EQ(usage.reasoning_tokens, 2);
  EXPECT_FALSE(usage_from_response(R"({"usage":{"prompt_tokens":1)").reported);  // truncated
  EXPECT_FALSE(usage_from_response(R"({"usage":[1]})").reported);
}

std::string describe(const Usage& usage) {
  return std::string(usage.reported ? "reported" : "none") + " in=" + std::to_string(usage.input_tokens) +
         " out=" + std::to_string(usage.output_tokens) + " cache=" + std::to_string(usage.cache_read_tokens) +
         " reasoning=" + std::to_string(usage.reasoning_tokens);
}

// Usage objects in and near OpenAI's compact form: the fast reading must find what the
// event reading finds (made to take the text by a leading space, outside the compact form).
TEST(OpenAIUsage, ReadsCompactUsageWithoutTheReaderAsTheReaderDoes) {
  const char* keys[] = {"prompt_tokens", "completion_tokens", "total_tokens", "cached_tokens", "reasoning_tokens",
                        "prompt_tokens_details", "completion_tokens_details", "audio_tokens"};
  const char* inner_values[] = {"0", "7", "19", "-3", "-0", "123456789012345678", "1234567890123456789", "01", "1.5",
                                "2e3", "null", R"("x")", "[]", "{}", R"({"cached_tokens":1})"};
  std::mt19937 random(19);
  int compact = 0;
  for (int round = 0; round < 20000; ++round) {
    std::vector<std::string> values;
    for (int i = 0; i < 3; ++i) values.push_back(testing::random_object(random, keys, inner_values, 4));
    const char* outer_values[] = {"0", "5", "20", "39", "-1", "007", "3.0", values[0].c_str(), values[1].c_str(),
                                  values[2].c_str(), "{}", "true"};
    std::string usage = testing::random_object(random, keys, outer_values, 6);
    if (round % 40 == 0) usage.pop_back();
    if (round % 40 == 1) usage += "}";
    Usage by_events = usage_from_text(" " + usage);
    if (auto fast = read_compact_usage(usage)) {
      ++compact;
      ASSERT_EQ(describe(*fast), describe(by_events)) << usage;
    }
    ASSERT_EQ(describe(usage_from_text(usage)), describe(by_events)) << usage;
  }
  EXPECT_GT(compact, 5000) << "too few usage objects took the compact reading to compare it";
}

TEST(OpenAIUsage, ReadsOpenAIsOwnUsageObjectCompactly) {
  auto usage = read_compact_usage(
      R"({"prompt_tokens":19,"completion_tokens":20,"total_tokens":39,"prompt_tokens_details":{"cached_tokens":4,)"
      R"("audio_tokens":0},"completion_tokens_details":{"reasoning_tokens":6,"audio_tokens":0,)"
      R"("accepted_prediction_tokens":0,"rejected_prediction_tokens":0}})");
  ASSERT_TRUE(usage);
  EXPECT_EQ(describe(*usage), "reported in=19 out=20 cache=4 reasoning=6");
  EXPECT_FALSE(read_compact_usage(R"({"prompt_tokens": 19})"));
  EXPECT_FALSE(read_compact_usage(R"({"prompt_tokens":19,"cost":0.0012})"));
  EXPECT_FALSE(read_compact_usage("null"));
}

TEST(OpenAIUsage, CountsAreIntegersAsWritten) {
  Usage usage = usage_from_response(R"({"usage":{"prompt_tokens":12.0,"completion_tokens":3,"total_tokens":"15"}})");
  EXPECT_TRUE(usage.reported);
  EXPECT_EQ(usage.input_tokens, 0);  // a double is not a count, as when the DOM read it
  EXPECT_EQ(usage.output_tokens, 3);
  EXPECT_FALSE(usage_from_response(R"({"usage":null})").reported);
}

}  // namespace
// What scan_chunk must find, read from a DOM of the chunk (the last of repeated keys wins).
std::string dom_scan(std::string_view data) {
  boost::json::error_code ec;
  boost::json::value parsed = boost::json::parse(data, ec);
  if (ec || !parsed.is_object()) return "invalid";
  const boost::json::object& chunk = parsed.get_object();
  auto string_of = [](const boost::json::object& object, std::string_view key) {
    const boost::json::value* value = object.if_contains(key);
    return value && value->is_string() ? std::string(value->get_string()) : std::string();
  };
  bool full = false;
  if (const auto* error = chunk.if_contains("error"); error && error->is_object()) full = true;
  if (const auto* usage = chunk.if_contains("usage"); usage && usage->is_object()) full = true;
  std::string text;
  const auto* choices = chunk.if_contains("choices");
  if (choices && choices->is_array() && !choices->get_array().empty() && choices->get_array()[0].is_object()) {
    const auto& choice = choices->get_array()[0].get_object();
    if (const auto* reason = choice.if_contains("finish_reason"); reason && reason->is_string()) full = true;
    if (const auto* delta = choice.if_contains("delta"); delta && delta->is_object()) {
      const auto& fields = delta->get_object();
      if (const auto* reasoning = fields.if_contains("reasoning_content"); reasoning && reasoning->is_string()) full = true;
      if (const auto* calls = fields.if_contains("tool_calls"); calls && calls->is_array()) full = true;
      text = string_of(fields, "content");
    }
  }
  return std::string(full ? "full " : "simple ") + "id=" + string_of(chunk, "id") + " model=" + string_of(chunk, "model") +
         " text=" + text;
}

std::string event_scan(std::string_view data) {
  ChunkScan scan = scan_chunk(data, true);
  if (!scan.valid) return "invalid";
  return std::string(scan.needs_full_decode ? "full " : "simple ") + "id=" + scan.id + " model=" + scan.model +
         " text=" + scan.text;
}

TEST(OpenAIChunkScan, ReadsChunksAsADomWould) {
  const char* chunks[] = {
      R"({"id":"c1","object":"chat.completion.chunk","model":"m","choices":[{"index":0,"delta":{"content":"Hi"},"finish_reason":null}],"usage":null})",
      R"({"id":"c1","choices":[{"delta":{"content":"a\n\u00e9\"b"}}]})",
      R"({"id":"c1","choices":[{"delta":{"content":"x","content":null}}]})",
      R"({"choices":[{"delta":{"content":"x"}},{"delta":{"tool_calls":[]}}]})",
      R"({"choices":[{"delta":{"tool_calls":[{"index":0}]}}]})",
      R"({"choices":[{"delta":{"reasoning_content":"think"}}]})",
      R"({"choices":[{"delta":{},"finish_reason":"stop"}]})",
      R"({"choices":[],"usage":{"prompt_tokens":1}})",
      R"({"error":{"message":"boom"}})",
      R"({"error":"not an object"})",
      R"({"choices":[{"delta":{"content":{"nested":"x"}}}]})",
      R"({"choices":[1,{"delta":{"content":"second"}}]})",
      R"({"choices":[{"delta":{"content":"one"}}],"choices":[{"delta":{"content":"two"}}]})",
      R"({"choices":[{"delta":"text"}]})",
      R"({"id":7,"model":["m"]})",
      R"([{"id":"c"}])",
      R"({"id":"c"} )",
      R"({"id":"c"} x)",
      R"({"id":)",
      "",
  };
  for (const char* chunk : chunks) EXPECT_EQ(event_scan(chunk), dom_scan(chunk)) << chunk;

  std::mt19937 random(11);
  const char* values[] = {R"("s")", R"("a\"b")", "1", "null", "true", "[]", "{}", R"({"content":"c"})",
                          R"({"content":"c","tool_calls":[{}]})", R"({"reasoning_content":"r","content":"c"})",
                          R"([{"delta":{"content":"t"}}])", R"([{"delta":{"content":"t"},"finish_reason":"stop"}])",
                          R"([{"finish_reason":null,"delta":{"role":"assistant","content":""}}])", R"({"message":"m"})",
                          R"([[{"delta":{"content":"deep"}}]])"};
  const char* keys[] = {"id", "model", "choices", "usage", "error", "delta", "content", "finish_reason"};
  for (int round = 0; round < 5000; ++round) {
    std::string chunk = testing::random_object(random, keys, values, 6);
    ASSERT_EQ(event_scan(chunk), dom_scan(chunk)) << chunk;
  }
}

// A chunk after the first, which scan_chunk may read through read_text_chunk: what it
// finds, against the DOM (without the id and model it is not asked for).
std::string later_scan(std::string_view data) {
  ChunkScan scan = scan_chunk(data, false);
  if (!scan.valid) return "invalid";
  return std::string(scan.needs_full_decode ? "full " : "simple ") + "text=" + scan.text;
}

std::string later_dom_scan(std::string_view data) {
  std::string full = dom_scan(data);
  if (full == "invalid") return full;
  return full.substr(0, full.find(' ')) + " text=" + full.substr(full.find(" text=") + 6);
}

// Chunks in OpenAI's own shape, and near it: members a text delta may carry or must not,
// text with escapes and UTF-8 (and malformed), and the look-alikes of each fixed part.
std::string random_openai_chunk(std::mt19937& random) {
  auto pick = [&](std::span<const char* const> from) { return std::string(from[random() % from.size()]); };
  static const char* const members[] = {
      R"("id":"chatcmpl-C1")", R"("object":"chat.completion.chunk")", R"("created":1741569952)",
      R"("model":"gpt-4o-mini-2024-07-18")", R"("system_fingerprint":"fp_06737a9306")", R"("system_fingerprint":null)",
      R"("service_tier":"default")", R"("usage":null)", R"("obfuscation":"r4N7vQ2m")", R"("x_flag":true)",
      R"("x_off":false)", R"("n":-3)", R"("n":0)"};
  // Not plain, or not valid: the reader must refuse each, and the event reading decide.
  static const char* const odd_members[] = {
      R"("created":01)", R"("created":1.5)", R"("created":2e3)", R"("created":-)", R"("id":"a\"b")",
      "\"id\":\"caf\xc3\xa9\"", R"("usage":{"prompt_tokens":1})", R"("error":{"message":"boom"})",
      R"("error":"text")", R"("choices":null)", R"("id" :"c")", R"("id":["c"])", R"("id":nul)"};
  static const char* const texts[] = {"Hello", "", " world", R"(a\nb)", R"(q\"uote)", R"(back\\)", R"(\u00e9t\u00E9)",
                                      "caf\xc3\xa9", "\xe4\xb8\xad\xe6\x96\x87", R"(\ud83d\ude00)"};
  // Malformed: a bad escape, a lone surrogate, raw control, bad UTF-8.
  static const char* const odd_texts[] = {R"(\q)", R"(\ud83d)", "tab\there", "\xc3(", R"(ends\)"};
  static const char* const choices[] = {
      R"("choices":[{"index":0,"delta":{"content":"TEXT"},"logprobs":null,"finish_reason":null}])",
      R"("choices":[{"index":0,"delta":{"content":"TEXT"},"logprobs":null,"finish_reason":null}])",
      R"("choices":[{"index":0,"delta":{"content":"TEXT"},"logprobs":null,"finish_reason":null}])",
      R"("choices":[{"index":0,"delta":{"content":"TEXT"},"logprobs":null,"finish_reason":"stop"}])",
      R"("choices":[{"index":0,"delta":{"content":"TEXT"},"logprobs":{},"finish_reason":null}])",
      R"("choices":[{"index":1,"delta":{"content":"TEXT"},"logprobs":null,"finish_reason":null}])",
      R"("choices":[{"index":0,"delta":{"role":"assistant","content":"TEXT"},"logprobs":null,"finish_reason":null}])",
      R"("choices":[{"index":0,"delta":{"content":"TEXT","tool_calls":[]},"logprobs":null,"finish_reason":null}])",
      R"("choices":[{"index":0,"delta":{"content":"TEXT"},"logprobs":null,"finish_reason":null},{"index":1}])",
      R"("choices":[{"index":0, "delta":{"content":"TEXT"},"logprobs":null,"finish_reason":null}])",
      R"("choices":[])"};
  auto member = [&] { return random() % 12 == 0 ? pick(odd_members) : pick(members); };
  std::string chunk = "{";
  int head = static_cast<int>(random() % 6);
  int tail = static_cast<int>(random() % 3);
  for (int i = 0; i < head; ++i) chunk += member() + ",";
  std::string choice = random() % 2 ? choices[0] : pick(choices);
  if (auto at = choice.find("TEXT"); at != std::string::npos) {
    choice.replace(at, 4, random() % 8 == 0 ? pick(odd_texts) : pick(texts));
  }
  chunk += choice;
  for (int i = 0; i < tail; ++i) chunk += "," + member();
  if (random() % 20 == 0) {  // "choices" twice: the last one counts
    std::string again = random() % 2 ? choices[0] : pick(choices);
    if (auto at = again.find("TEXT"); at != std::string::npos) again.replace(at, 4, "again");
    chunk += "," + again;
  }
  chunk += "}";
  if (random() % 25 == 0) chunk += random() % 2 ? " " : "x";
  if (random() % 25 == 0) chunk.pop_back();
  return chunk;
}

TEST(OpenAIChunkScan, ReadsTextChunksWithoutAParserAsADomWould) {
  std::mt19937 random(20261202);
  int fast = 0;
  for (int round = 0; round < 20000; ++round) {
    std::string chunk = random_openai_chunk(random);
    std::string text;
    fast += read_text_chunk(chunk, text);
    ASSERT_EQ(later_scan(chunk), later_dom_scan(chunk)) << chunk;
  }
  EXPECT_GT(fast, 3000) << "too few chunks took the fast path to compare it";
}

TEST(OpenAIChunkScan, TakesOpenAIsOwnTextChunksFastAndDecodesTheirText) {
  std::string text;
  ASSERT_TRUE(read_text_chunk(
      R"({"id":"chatcmpl-C1","object":"chat.completion.chunk","created":1741569952,"model":"gpt-4o-mini-2024-07-18",)"
      R"("system_fingerprint":"fp_06737a9306","choices":[{"index":0,"delta":{"content":"Hel\nlo \u00e9"},"logprobs":null,)"
      R"("finish_reason":null}],"usage":null})",
      text));
  EXPECT_EQ(text, "Hel\nlo \xc3\xa9");
  ASSERT_TRUE(read_text_chunk(
      R"({"id":"c","choices":[{"index":0,"delta":{"content":"x"},"logprobs":null,"finish_reason":null}],"obfuscation":"r4N"})",
      text));
  EXPECT_EQ(text, "x");
  // The first chunk (a role), a finish, usage: all for the event reading.
  EXPECT_FALSE(read_text_chunk(
      R"({"id":"c","choices":[{"index":0,"delta":{"role":"assistant","content":""},"logprobs":null,"finish_reason":null}]})",
      text));
  EXPECT_FALSE(read_text_chunk(
      R"({"id":"c","choices":[{"index":0,"delta":{},"logprobs":null,"finish_reason":"stop"}],"usage":null})", text));
  EXPECT_FALSE(read_text_chunk(R"({"id":"c","choices":[],"usage":{"prompt_tokens":19}})", text));
}

}  // namespace switchyard::openai
