// Strict clients (the Vercel AI SDK, LangChain) validate every answer against the shape the real
// APIs send. Every answer, stream event and error each dialect's encoder writes is checked
// against the recorded real payloads in tests/fixtures: no member the real answers lack, no null
// where they carry a value, no value of another type, and (for whole answers and errors) no
// member they always carry left out, but for the few listed as optional below (a "+" entry is
// one the gateway may write though the recordings lack it).
#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <filesystem>
#include <map>
#include <set>

#include "../fixtures.h"
#include "dialects/codec.h"
#include "http/sse.h"

namespace switchyard {
namespace {
namespace json = boost::json;

struct DialectFixtures {
  Dialect dialect;
  std::string dir;
  std::string prefix;  // the file name prefix of this dialect's payloads
  // Members the real answers carry that the gateway may leave out: no client needs them.
  std::set<std::string> optional;
};

const std::vector<DialectFixtures>& dialects() {
  static const std::vector<DialectFixtures> all = {
      {Dialect::openai_chat, "openai", "openai.chat.",
       {"service_tier", "system_fingerprint", "usage.prompt_tokens_details.audio_tokens",
        "usage.completion_tokens_details.audio_tokens", "usage.completion_tokens_details.accepted_prediction_tokens",
        "usage.completion_tokens_details.rejected_prediction_tokens"}},
      {Dialect::openai_responses, "openai", "openai.responses.",
       // The streamed recording predates cache-write counts; the whole answer has them.
       {"+response.completed.response.usage.input_tokens_details.cache_write_tokens"}},
      {Dialect::anthropic_messages, "anthropic", "anthropic.messages.",
       {"stop_details", "container", "usage.cache_creation", "usage.inference_geo", "usage.server_tool_use",
        "usage.service_tier", "content.caller",
        // The published MessageDeltaUsage restates the input counts (cumulative, as newer streams
        // send them); the gateway does, for upstreams that report input only at the end.
        "+message_delta.usage.input_tokens", "+message_delta.usage.cache_creation_input_tokens",
        "+message_delta.usage.cache_read_input_tokens"}},
      {Dialect::gemini, "gemini", "gemini.generate.",
       {"candidates.safetyRatings", "usageMetadata.promptTokensDetails", "usageMetadata.thoughtsTokenCount",
        "candidates.content.parts.thoughtSignature",
        // Written though the recordings lack it: FunctionCall.id is in the published API, and
        // Gemini clients send it back so results match their calls.
        "+candidates.content.parts.functionCall.id", "+chunk.candidates.content.parts.functionCall.id"}},
  };
  return all;
}

std::vector<std::string> files(const DialectFixtures& d, std::string_view prefix, std::string_view suffix) {
  std::vector<std::string> names;
  for (const auto& entry : std::filesystem::directory_iterator(std::string(SWITCHYARD_FIXTURES) + "/" + d.dir)) {
    std::string name = entry.path().filename().string();
    if (name.starts_with(prefix) && name.ends_with(suffix)) names.push_back(d.dir + "/" + name);
  }
  std::sort(names.begin(), names.end());
  return names;
}

std::string kind_of(const json::value& v) {
  if (v.is_null()) return "null";
  if (v.is_string()) return "string";
  if (v.is_bool()) return "boolean";
  if (v.is_object()) return "object";
  if (v.is_array()) return "array";
  return "number";
}

// The fixture elements an element of ours is compared with: those of the same `type`, else all.
std::vector<const json::value*> counterparts(const json::array& reference, const json::value& ours) {
  std::vector<const json::value*> same, all;
  const json::object* mine = ours.if_object();
  const json::value* type = mine ? mine->if_contains("type") : nullptr;
  for (const json::value& element : reference) {
    all.push_back(&element);
    const json::object* theirs = element.if_object();
    const json::value* their_type = theirs ? theirs->if_contains("type") : nullptr;
    if (type && their_type && *type == *their_type) same.push_back(&element);
  }
  if (type) return same;  // a block of a type the fixture lacks has nothing to be compared with
  return all;
}

// Problems of `ours` against the real `references` (one or several payloads of the same kind).
void compare(const std::vector<const json::value*>& references, const json::value& ours, const std::string& path,
             const std::set<std::string>& optional, bool check_missing, std::vector<std::string>& problems) {
  if (references.empty()) return;
  if (ours.is_null()) {
    if (optional.contains(path)) return;  // optional members may also be null
    for (const json::value* reference : references) {
      if (reference->is_null()) return;
    }
    problems.push_back(path + ": null where real answers have " + kind_of(*references.front()));
    return;
  }
  std::set<std::string> kinds;
  for (const json::value* reference : references) {
    if (!reference->is_null()) kinds.insert(kind_of(*reference));
  }
  if (!kinds.empty() && !kinds.contains(kind_of(ours))) {
    problems.push_back(path + ": " + kind_of(ours) + " where real answers have " + *kinds.begin());
    return;
  }
  std::string key_path = path.empty() ? "" : path + ".";
  if (const json::object* object = ours.if_object()) {
    std::set<std::string> seen;
    for (const auto& member : *object) {
      std::string key(member.key());
      seen.insert(key);
      std::vector<const json::value*> inner;
      for (const json::value* reference : references) {
        if (const json::object* theirs = reference->if_object()) {
          if (const json::value* value = theirs->if_contains(key)) inner.push_back(value);
        }
      }
      if (inner.empty()) {
        if (!optional.contains("+" + key_path + key)) {
          problems.push_back(key_path + key + ": written, but real answers have no such member");
        }
        continue;
      }
      compare(inner, member.value(), key_path + key, optional, check_missing, problems);
    }
    if (!check_missing) return;
    // What every real payload of the kind carries must be there.
    const json::object* first = references.front()->if_object();
    for (const auto& member : first ? *first : json::object{}) {
      std::string key(member.key());
      bool everywhere = std::all_of(references.begin(), references.end(), [&](const json::value* reference) {
        return reference->is_object() && reference->as_object().contains(key);
      });
      if (everywhere && !seen.contains(key) && !optional.contains(key_path + key)) {
        problems.push_back(key_path + key + ": real answers always have it, the gateway left it out");
      }
    }
  } else if (const json::array* array = ours.if_array()) {
    for (const json::value& element : *array) {
      std::vector<const json::value*> inner;
      for (const json::value* reference : references) {
        if (const json::array* theirs = reference->if_array()) {
          for (const json::value* match : counterparts(*theirs, element)) inner.push_back(match);
        }
      }
      compare(inner, element, path, optional, check_missing, problems);
    }
  }
}

std::string joined(const std::vector<std::string>& problems) {
  std::string out;
  for (const auto& problem : problems) out += "\n  " + problem;
  return out;
}

TEST(AnswerShape, EveryAnswerHasTheShapeOfTheRealOnes) {
  int compared = 0;
  for (const DialectFixtures& d : dialects()) {
    const DialectCodec& codec = codec_for(d.dialect);
    // Every real answer of the dialect: a member one of them has is a member real answers have.
    std::vector<json::value> real;
    for (const std::string& name : files(d, d.prefix + "response.", ".json")) real.push_back(json::parse(testing::read_fixture(name)));
    std::vector<const json::value*> references;
    for (const json::value& answer : real) references.push_back(&answer);
    for (const std::string& name : files(d, d.prefix + "response.", ".json")) {
      auto decoded = codec.decode_response(testing::read_fixture(name));
      ASSERT_TRUE(decoded) << name << ": " << decoded.error().message;
      std::string ours = codec.encode_response(decoded.value(), "the-model");
      std::vector<std::string> problems;
      compare(references, json::parse(ours), "", d.optional, true, problems);
      EXPECT_TRUE(problems.empty()) << name << " re-encoded as " << ours << joined(problems);
      ++compared;
    }
  }
  EXPECT_GE(compared, 10);
}

// The kind of a stream event, to compare it with the real events of the same kind.
std::string event_kind(Dialect dialect, const json::value& data) {
  const json::object* object = data.if_object();
  if (!object) return "?";
  if (dialect == Dialect::openai_chat) {
    const json::array* choices = object->contains("choices") ? object->at("choices").if_array() : nullptr;
    if (!choices || choices->empty()) return object->contains("error") ? "error" : "usage";
    const json::object& choice = choices->front().as_object();
    std::string kind = "delta";
    if (const json::object* delta = choice.contains("delta") ? choice.at("delta").if_object() : nullptr) {
      for (const auto& member : *delta) kind += ":" + std::string(member.key());
    }
    if (choice.contains("finish_reason") && !choice.at("finish_reason").is_null()) kind += "+finish";
    return kind;
  }
  if (dialect == Dialect::gemini) return object->contains("error") ? "error" : "chunk";
  return object->contains("type") ? std::string(object->at("type").as_string()) : "?";
}

std::vector<json::value> events_of(std::string_view stream) {
  http::SseFrameSplitter splitter;
  splitter.feed(stream);
  std::vector<json::value> out;
  for (auto frame = splitter.next_frame(); !frame.empty(); frame = splitter.next_frame()) {
    http::SseEvent event = http::parse_sse_frame(frame);
    json::error_code ec;
    json::value data = json::parse(event.data(), ec);
    if (!ec) out.push_back(std::move(data));  // [DONE] and comments are not JSON
  }
  return out;
}

TEST(AnswerShape, EveryStreamEventHasTheShapeOfTheRealOnes) {
  int compared = 0;
  for (const DialectFixtures& d : dialects()) {
    const DialectCodec& codec = codec_for(d.dialect);
    std::map<std::string, std::vector<json::value>> real;  // every real event of this dialect, by kind
    std::vector<std::string> streams = files(d, d.prefix + "stream.", ".sse");
    if (d.dialect == Dialect::gemini) streams = files(d, "gemini.stream.", ".sse");
    for (const std::string& name : streams) {
      for (json::value& event : events_of(testing::read_fixture(name))) {
        real[event_kind(d.dialect, event)].push_back(std::move(event));
      }
    }
    for (const std::string& name : streams) {
      auto decoder = codec.make_stream_decoder();
      auto encoder = codec.make_stream_encoder("the-model", true);
      std::vector<canonical::StreamEvent> events;
      http::SseFrameSplitter splitter;
      splitter.feed(testing::read_fixture(name));
      for (auto frame = splitter.next_frame(); !frame.empty(); frame = splitter.next_frame()) {
        decoder->decode(http::parse_sse_frame(frame), events);
      }
      decoder->finish(events);
      std::string ours;
      for (const auto& event : events) encoder->encode(event, ours);
      for (const json::value& event : events_of(ours)) {
        auto found = real.find(event_kind(d.dialect, event));
        if (found == real.end()) continue;  // a kind no recorded stream shows
        std::vector<const json::value*> references;
        for (const json::value& reference : found->second) references.push_back(&reference);
        std::vector<std::string> problems;
        compare(references, event, found->first, d.optional, false, problems);
        EXPECT_TRUE(problems.empty()) << name << " re-encoded event " << json::serialize(event) << joined(problems);
        ++compared;
      }
    }
  }
  EXPECT_GE(compared, 40);
}

TEST(AnswerShape, EveryErrorHasTheShapeOfTheRealOnes) {
  int compared = 0;
  for (const DialectFixtures& d : dialects()) {
    if (d.dialect == Dialect::openai_responses) continue;  // the chat completions envelope, checked there
    const DialectCodec& codec = codec_for(d.dialect);
    for (const std::string& name : files(d, d.dir + ".error.", ".json")) {
      int status = std::stoi(name.substr(name.find(".error.") + 7, 3));
      GatewayError error = codec.decode_error(status, testing::read_fixture(name));
      json::value fixture = json::parse(testing::read_fixture(name));
      std::vector<std::string> problems;
      std::string ours = codec.error_body(error, "req_1");
      // Gemini's details and OpenAI's param/code vary by error; the envelope must not.
      compare({&fixture}, json::parse(ours), "", {"error.details", "error.param", "error.code", "request_id"}, true,
              problems);
      EXPECT_TRUE(problems.empty()) << name << " re-encoded as " << ours << joined(problems);
      ++compared;
    }
  }
  EXPECT_GE(compared, 15);
}

}  // namespace
}  // namespace switchyard
