// Every recorded payload in tests/fixtures, decoded in its own dialect and re-encoded in
// every other: requests, responses, streams and errors keep their meaning across the
// canonical model.
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <gtest/gtest.h>

#include <filesystem>
#include <map>

#include "../fixtures.h"
#include "dialects/codec.h"
#include "http/sse.h"

namespace switchyard {
namespace {
namespace json = boost::json;
using canonical::StreamEvent;

constexpr Dialect kDialects[] = {Dialect::openai_chat, Dialect::openai_responses, Dialect::anthropic_messages,
                                 Dialect::gemini};

std::string dir_of(Dialect dialect) {
  switch (dialect) {
    case Dialect::openai_chat:
    case Dialect::openai_responses: return "openai";
    case Dialect::anthropic_messages: return "anthropic";
    case Dialect::gemini: return "gemini";
  }
  return "";
}

std::vector<std::string> fixtures(Dialect dialect, std::string_view infix) {
  std::vector<std::string> names;
  for (const auto& entry : std::filesystem::directory_iterator(std::string(SWITCHYARD_FIXTURES) + "/" + dir_of(dialect))) {
    std::string name = entry.path().filename().string();
    // Chat Completions and Responses share the folder (and the error envelope).
    bool responses_file = name.starts_with("openai.responses.");
    if (dialect == Dialect::openai_responses && !responses_file && !name.starts_with("openai.error.")) continue;
    if (dialect == Dialect::openai_chat && responses_file) continue;
    if (name.find(infix) != std::string::npos) names.push_back(dir_of(dialect) + "/" + name);
  }
  std::sort(names.begin(), names.end());
  return names;
}

// The gist of a conversation, to compare across dialects.
struct Gist {
  std::vector<std::string> roles;
  std::string text;
  std::vector<std::string> tool_calls;  // name + canonical JSON args
  std::vector<std::string> tools;
  std::size_t images = 0;
  std::size_t tool_results = 0;
};

std::string normalize_json(const std::string& text) {
  json::error_code ec;
  json::value value = json::parse(text, ec);
  return ec ? text : json::serialize(value);
}

Gist gist_of(const canonical::Request& request) {
  Gist gist;
  for (const auto& message : request.messages) {
    gist.roles.push_back(message.role == canonical::Role::system ? "system"
                         : message.role == canonical::Role::user ? "user"
                                                                  : "assistant");
    for (const auto& block : message.content) {
      if (auto* text = std::get_if<canonical::TextBlock>(&block)) gist.text += text->text;
      if (std::holds_alternative<canonical::ImageBlock>(block)) ++gist.images;
      if (auto* call = std::get_if<canonical::ToolCallBlock>(&block)) {
        gist.tool_calls.push_back(call->name + normalize_json(call->arguments));
      }
      if (std::holds_alternative<canonical::ToolResultBlock>(block)) ++gist.tool_results;
    }
  }
  for (const auto& tool : request.tools) gist.tools.push_back(tool.name);
  return gist;
}

canonical::EncodeOptions options_for(std::string model) {
  canonical::EncodeOptions options;
  options.upstream_model = std::move(model);
  options.provider = "test";
  options.unsupported = canonical::UnsupportedParams::drop;
  return options;
}

Result<canonical::Request> decode_request_fixture(Dialect dialect, const std::string& name) {
  std::string body = testing::read_fixture(name);
  bool stream = name.find("stream") != std::string::npos;
  return codec_for(dialect).decode_request(body, "fixture-model", stream);
}

TEST(Translation, EveryRequestFixtureSurvivesEveryDialect) {
  int translated = 0;
  for (Dialect source : kDialects) {
    for (const std::string& name : fixtures(source, ".request.")) {
      if (name.find("count_tokens") != std::string::npos || name.find("embed") != std::string::npos) continue;
      auto decoded = decode_request_fixture(source, name);
      if (!decoded) {
        // Only parts no other dialect can carry may refuse, and they must say which.
        EXPECT_EQ(decoded.error().status, 400) << name;
        EXPECT_NE(decoded.error().message.find("can only be sent"), std::string::npos) << name << ": " << decoded.error().message;
        continue;
      }
      Gist original = gist_of(decoded.value());
      EXPECT_FALSE(original.roles.empty()) << name;
      for (Dialect target : kDialects) {
        auto encoded = codec_for(target).encode_request(decoded.value(), options_for("upstream-model"));
        if (!encoded) {
          // Gemini takes no arbitrary image URLs; that is a clear 400, never a fetch.
          EXPECT_EQ(target, Dialect::gemini) << name << " -> " << dialect_name(target) << ": " << encoded.error().message;
          EXPECT_NE(encoded.error().message.find("image URLs"), std::string::npos) << encoded.error().message;
          continue;
        }
        auto again = codec_for(target).decode_request(encoded.value(), "upstream-model", decoded->stream);
        ASSERT_TRUE(again) << name << " -> " << dialect_name(target) << ": " << again.error().message << "\n" << encoded.value();
        Gist round = gist_of(again.value());
        EXPECT_EQ(round.text, original.text) << name << " -> " << dialect_name(target);
        EXPECT_EQ(round.tool_calls, original.tool_calls) << name << " -> " << dialect_name(target);
        EXPECT_EQ(round.tools, original.tools) << name << " -> " << dialect_name(target);
        EXPECT_EQ(round.images, original.images) << name << " -> " << dialect_name(target);
        EXPECT_EQ(round.tool_results, original.tool_results) << name << " -> " << dialect_name(target);
        ++translated;
      }
    }
  }
  EXPECT_GE(translated, 24);
}

TEST(Translation, AnthropicRequiresMaxTokensAndGetsADefault) {
  auto request = codec_for(Dialect::openai_chat)
                     .decode_request(R"({"model":"m","messages":[{"role":"user","content":"hi"}]})", "", false);
  ASSERT_TRUE(request);
  auto body = codec_for(Dialect::anthropic_messages).encode_request(request.value(), options_for("claude"));
  ASSERT_TRUE(body);
  json::value sent = json::parse(body.value());
  EXPECT_EQ(sent.at("max_tokens"), 4096);
  EXPECT_EQ(sent.at("model"), "claude");
}

TEST(Translation, UnsupportedParametersAreRefusedByNameUnlessDropped) {
  auto request = codec_for(Dialect::openai_chat)
                     .decode_request(R"({"model":"m","messages":[{"role":"user","content":"hi"}],"logprobs":true,"seed":7})", "", false);
  ASSERT_TRUE(request);
  canonical::EncodeOptions strict = options_for("claude");
  strict.unsupported = canonical::UnsupportedParams::reject;
  auto refused = codec_for(Dialect::anthropic_messages).encode_request(request.value(), strict);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().status, 400);
  EXPECT_EQ(refused.error().code, "unsupported_parameter");
  EXPECT_NE(refused.error().message.find("'seed'"), std::string::npos) << refused.error().message;
  auto dropped = codec_for(Dialect::anthropic_messages).encode_request(request.value(), options_for("claude"));
  ASSERT_TRUE(dropped);
  EXPECT_EQ(dropped.value().find("logprobs"), std::string::npos);
}

// Clients send members that ask for nothing on every call (LangChain's Gemini client always
// sends "safetySettings": [] and "stopSequences": []): empty lists and documented defaults
// are not refused by a target that cannot express them; the same members asking for
// something still are.
TEST(Translation, ParametersThatAskForNothingAreNotRefused) {
  canonical::EncodeOptions strict = options_for("target-model");
  strict.unsupported = canonical::UnsupportedParams::reject;
  auto refusal = [&](Dialect source, std::string_view body, Dialect target) -> std::string {
    auto request = codec_for(source).decode_request(body, "m", false);
    if (!request) return "decode: " + request.error().message;
    auto encoded = codec_for(target).encode_request(request.value(), strict);
    return encoded ? "" : encoded.error().message;
  };
  constexpr std::string_view kGeminiNothing =
      R"({"contents":[{"role":"user","parts":[{"text":"hi"}]}],"safetySettings":[],"tools":[],)"
      R"("generationConfig":{"stopSequences":[],"responseLogprobs":false,"candidateCount":1}})";
  constexpr std::string_view kOpenAINothing =
      R"({"model":"m","messages":[{"role":"user","content":"hi"}],"tools":[],"n":1,"stream":false,"logprobs":false,)"
      R"("top_logprobs":0,"store":false,"service_tier":"auto","presence_penalty":0,"frequency_penalty":0,"stop":[],)"
      R"("metadata":{},"prediction":null})";
  constexpr std::string_view kAnthropicNothing =
      R"({"model":"m","max_tokens":10,"messages":[{"role":"user","content":"hi"}],"tools":[],"stop_sequences":[],)"
      R"("service_tier":"auto","output_config":{}})";
  for (Dialect target : kDialects) {
    if (target != Dialect::gemini) {
      EXPECT_EQ(refusal(Dialect::gemini, kGeminiNothing, target), "") << dialect_name(target);
    }
    if (target != Dialect::openai_chat) {
      EXPECT_EQ(refusal(Dialect::openai_chat, kOpenAINothing, target), "") << dialect_name(target);
    }
    if (target != Dialect::anthropic_messages) {
      EXPECT_EQ(refusal(Dialect::anthropic_messages, kAnthropicNothing, target), "") << dialect_name(target);
    }
  }
  // The same members asking for something are still refused, by name.
  EXPECT_NE(refusal(Dialect::gemini,
                    R"({"contents":[{"role":"user","parts":[{"text":"hi"}]}],)"
                    R"("safetySettings":[{"category":"HARM_CATEGORY_HARASSMENT","threshold":"BLOCK_NONE"}]})",
                    Dialect::openai_chat)
                .find("'safetySettings'"),
            std::string::npos);
  EXPECT_NE(refusal(Dialect::openai_chat, R"({"model":"m","messages":[{"role":"user","content":"hi"}],"logprobs":true})",
                    Dialect::anthropic_messages)
                .find("'logprobs'"),
            std::string::npos);
  EXPECT_NE(refusal(Dialect::openai_chat,
                    R"({"model":"m","messages":[{"role":"user","content":"hi"}],"presence_penalty":0.5})",
                    Dialect::anthropic_messages)
                .find("'presence_penalty'"),
            std::string::npos);
  EXPECT_NE(refusal(Dialect::anthropic_messages,
                    R"({"model":"m","max_tokens":10,"messages":[{"role":"user","content":"hi"}],"service_tier":"standard_only"})",
                    Dialect::gemini)
                .find("'service_tier'"),
            std::string::npos);
}

TEST(Translation, JsonModeBecomesAForcedToolForAnthropicAndTextAgain) {
  auto request = decode_request_fixture(Dialect::openai_chat, "openai/openai.chat.request.json_schema.json");
  ASSERT_TRUE(request);
  auto body = codec_for(Dialect::anthropic_messages).encode_request(request.value(), options_for("claude"));
  ASSERT_TRUE(body);
  json::value sent = json::parse(body.value());
  EXPECT_EQ(sent.at("tool_choice").at("type"), "tool");
  std::string tool = std::string(sent.at("tool_choice").at("name").as_string());
  std::string answer = R"({"id":"msg_1","type":"message","role":"assistant","model":"c","content":[{"type":"tool_use","id":"toolu_1","name":")" +
                       tool + R"(","input":{"answer":"Hello"}}],"stop_reason":"tool_use","usage":{"input_tokens":3,"output_tokens":2}})";
  auto response = codec_for(Dialect::anthropic_messages).decode_response(answer);
  ASSERT_TRUE(response);
  json::value client = json::parse(codec_for(Dialect::openai_chat).encode_response(response.value(), "m"));
  EXPECT_EQ(client.at("choices").at(0).at("message").at("content"), R"({"answer":"Hello"})");
  EXPECT_EQ(client.at("choices").at(0).at("finish_reason"), "stop");
}

struct ResponseGist {
  std::string text;
  std::vector<std::string> tool_calls;
  canonical::StopReason stop = canonical::StopReason::end_turn;
  Usage usage;
};

ResponseGist gist_of(const canonical::Response& response) {
  ResponseGist gist;
  for (const auto& block : response.content) {
    if (auto* text = std::get_if<canonical::TextBlock>(&block)) gist.text += text->text;
    if (auto* call = std::get_if<canonical::ToolCallBlock>(&block)) gist.tool_calls.push_back(call->name + normalize_json(call->arguments));
  }
  gist.stop = response.stop_reason;
  gist.usage = response.usage;
  return gist;
}

TEST(Translation, EveryResponseFixtureSurvivesEveryDialect) {
  int translated = 0;
  for (Dialect source : kDialects) {
    for (std::string name : fixtures(source, ".response.")) {
      if (name.find("chat.response") == std::string::npos && name.find("messages.response") == std::string::npos &&
          name.find("generate.response") == std::string::npos) {
        continue;
      }
      auto decoded = codec_for(source).decode_response(testing::read_fixture(name));
      ASSERT_TRUE(decoded) << name << ": " << decoded.error().message;
      ResponseGist original = gist_of(decoded.value());
      EXPECT_TRUE(original.usage.reported || name.find("blocked") != std::string::npos) << name;
      for (Dialect target : kDialects) {
        std::string encoded = codec_for(target).encode_response(decoded.value(), "client-model");
        auto again = codec_for(target).decode_response(encoded);
        ASSERT_TRUE(again) << name << " -> " << dialect_name(target) << "\n" << encoded;
        ResponseGist round = gist_of(again.value());
        EXPECT_EQ(round.text, original.text) << name << " -> " << dialect_name(target);
        EXPECT_EQ(round.tool_calls, original.tool_calls) << name << " -> " << dialect_name(target);
        EXPECT_EQ(round.usage.input_tokens, original.usage.input_tokens) << name << " -> " << dialect_name(target);
        EXPECT_EQ(round.usage.output_tokens, original.usage.output_tokens) << name << " -> " << dialect_name(target);
        bool stop_survives = target != Dialect::gemini || original.stop != canonical::StopReason::stop_sequence;
        if (stop_survives && original.stop != canonical::StopReason::stop_sequence) {
          EXPECT_EQ(round.stop, original.stop) << name << " -> " << dialect_name(target);
        }
        ++translated;
      }
    }
  }
  EXPECT_GE(translated, 21);
}

std::vector<StreamEvent> decode_stream(Dialect dialect, const std::string& bytes, bool& complete) {
  auto decoder = codec_for(dialect).make_stream_decoder();
  http::SseFrameSplitter splitter;
  std::vector<StreamEvent> events;
  for (std::size_t i = 0; i < bytes.size(); i += 5) {  // awkward network-sized pieces
    splitter.feed(std::string_view(bytes).substr(i, 5));
    for (auto frame = splitter.next_frame(); !frame.empty(); frame = splitter.next_frame()) {
      decoder->decode(http::parse_sse_frame(frame), events);
    }
  }
  complete = decoder->finish(events);
  return events;
}

struct StreamGist {
  std::string text;
  std::vector<std::string> tool_calls;
  bool stopped = false;
  bool error = false;
  std::int64_t output_tokens = 0;
};

StreamGist gist_of(const std::vector<StreamEvent>& events) {
  StreamGist gist;
  std::map<std::size_t, std::pair<std::string, std::string>> calls;
  for (const auto& event : events) {
    if (auto* start = std::get_if<canonical::BlockStart>(&event); start && start->kind == canonical::BlockKind::tool_call) {
      calls[start->index].first = start->tool_name;
    }
    if (auto* delta = std::get_if<canonical::BlockDelta>(&event)) {
      if (delta->kind == canonical::BlockDelta::Kind::text) gist.text += delta->text;
      if (delta->kind == canonical::BlockDelta::Kind::arguments) calls[delta->index].second += delta->text;
    }
    if (auto* message = std::get_if<canonical::MessageDelta>(&event)) gist.output_tokens = message->usage.output_tokens;
    if (std::holds_alternative<canonical::MessageStop>(event)) gist.stopped = true;
    if (std::holds_alternative<canonical::StreamError>(event)) gist.error = true;
  }
  for (auto& [index, call] : calls) gist.tool_calls.push_back(call.first + normalize_json(call.second));
  return gist;
}

TEST(Translation, EveryStreamFixtureSurvivesEveryDialect) {
  int translated = 0;
  for (Dialect source : kDialects) {
    for (const std::string& name : fixtures(source, ".sse")) {
      bool complete = false;
      std::vector<StreamEvent> events = decode_stream(source, testing::read_fixture(name), complete);
      StreamGist original = gist_of(events);
      EXPECT_TRUE(complete || original.error) << name;
      EXPECT_TRUE(original.stopped != original.error) << name;
      for (Dialect target : kDialects) {
        std::string encoded;
        auto encoder = codec_for(target).make_stream_encoder("client-model", true);
        for (const auto& event : events) encoder->encode(event, encoded);
        bool again_complete = false;
        StreamGist round = gist_of(decode_stream(target, encoded, again_complete));
        EXPECT_EQ(round.text, original.text) << name << " -> " << dialect_name(target) << "\n" << encoded;
        EXPECT_EQ(round.tool_calls, original.tool_calls) << name << " -> " << dialect_name(target);
        EXPECT_EQ(round.error, original.error) << name << " -> " << dialect_name(target);
        EXPECT_EQ(round.stopped, original.stopped) << name << " -> " << dialect_name(target);
        if (original.stopped) {
          EXPECT_EQ(round.output_tokens, original.output_tokens) << name << " -> " << dialect_name(target);
        }
        ++translated;
      }
    }
  }
  EXPECT_GE(translated, 27);
}

TEST(Translation, EveryErrorFixtureKeepsItsStatusInEveryDialect) {
  for (Dialect source : kDialects) {
    for (const std::string& name : fixtures(source, ".error.")) {
      if (!name.ends_with(".json")) continue;  // a stream that ends in an error is a stream fixture
      std::size_t at = name.find(".error.") + 7;
      int status = std::stoi(name.substr(at, 3));
      GatewayError error = codec_for(source).decode_error(status, testing::read_fixture(name));
      EXPECT_FALSE(error.message.empty()) << name;
      EXPECT_EQ(error.message.find("upstream error"), std::string::npos) << name << ": the body's message was not read";
      for (Dialect target : kDialects) {
        GatewayError again = codec_for(target).decode_error(error.status, codec_for(target).error_body(error, "test"));
        EXPECT_EQ(again.status, error.status) << name << " -> " << dialect_name(target);
        EXPECT_EQ(again.message, error.message) << name << " -> " << dialect_name(target);
      }
    }
  }
}

}  // namespace
}  // namespace switchyard

namespace switchyard {
namespace {

TEST(AnthropicPassthrough, FoldsSystemRoleMessagesForTheUpstreamApiVersion) {
  std::string body = codec_for(Dialect::anthropic_messages)
                         .passthrough_body(R"({"model":"a","max_tokens":5,"system":"first","messages":[)"
                                           R"({"role":"system","content":"second"},{"role":"user","content":"hi"}]})",
                                           {}, "claude");
  json::value sent = json::parse(body);
  EXPECT_EQ(sent.at("model"), "claude");
  ASSERT_EQ(sent.at("messages").as_array().size(), 1u);
  EXPECT_EQ(sent.at("messages").at(0).at("role"), "user");
  ASSERT_EQ(sent.at("system").as_array().size(), 2u);
  EXPECT_EQ(sent.at("system").at(1).at("text"), "second");
}

TEST(AnthropicPassthrough, LeavesOrdinaryBodiesByteExact) {
  std::string body = R"({"model":"a", "max_tokens":5,"system":"s","messages":[{"role":"user","content":"hi"}],"x":1.50})";
  EXPECT_EQ(codec_for(Dialect::anthropic_messages).passthrough_body(body, {}, "claude"),
            R"({"model":"claude", "max_tokens":5,"system":"s","messages":[{"role":"user","content":"hi"}],"x":1.50})");
}

}  // namespace
}  // namespace switchyard

namespace switchyard {
namespace {

// LangChain's ChatAnthropic reads input tokens from message_start only: when the upstream
// reported them before its first content (Gemini does, on its first chunk), they are there.
TEST(Translation, AGeminiStreamTellsAnthropicClientsItsInputAtTheStart) {
  auto decoder = codec_for(Dialect::gemini).make_stream_decoder();
  auto encoder = codec_for(Dialect::anthropic_messages).make_stream_encoder("claude", true);
  std::vector<canonical::StreamEvent> events;
  http::SseFrameSplitter splitter;
  splitter.feed(testing::read_fixture("gemini/gemini.stream.text.sse"));
  auto first = splitter.next_frame();
  decoder->decode(http::parse_sse_frame(first), events);
  ASSERT_FALSE(events.empty());
  std::string out;
  encoder->encode(events.front(), out);
  ASSERT_NE(out.find("event: message_start"), std::string::npos) << out;
  auto data = json::parse(out.substr(out.find("data: ") + 6));
  EXPECT_EQ(data.at("message").at("usage").at("input_tokens"), 8) << out;  // the first chunk's promptTokenCount
  EXPECT_EQ(data.at("message").at("usage").at("output_tokens"), 0);
}

}  // namespace
}  // namespace switchyard
