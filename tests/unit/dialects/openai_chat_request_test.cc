#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <gtest/gtest.h>

#include <random>

#include "../random_json.h"

#include "dialects/openai/chat_request.h"

namespace switchyard::openai {
namespace {
namespace json = boost::json;

// The exact body the official openai-node 6.49.0 stream helper sent (fixtures/sdk-captured).
constexpr std::string_view kSdkStreamBody =
    R"({"model":"gpt-4o-mini","messages":[{"role":"user","content":"weather?"}],"stream_options":{"include_usage":true},)"
    R"("tools":[{"type":"function","function":{"name":"get_weather","description":"Get weather","parameters":)"
    R"({"type":"object","properties":{"city":{"type":"string"}},"required":["city"]},"strict":true}}],"stream":true})";

TEST(OpenAIChatRequest, ReadsWhatRoutingNeeds) {
  auto view = inspect_chat_request(kSdkStreamBody);
  ASSERT_TRUE(view) << view.error().message;
  EXPECT_EQ(view->model, "gpt-4o-mini");
  EXPECT_TRUE(view->stream);
  EXPECT_TRUE(view->include_usage);
}

TEST(OpenAIChatRequest, RejectsBadJsonAsInvalidRequest) {
  auto view = inspect_chat_request("{\"model\":");
  ASSERT_FALSE(view);
  EXPECT_EQ(view.error().status, 400);
  EXPECT_EQ(view.error().code, "invalid_json");
}

TEST(OpenAIChatRequest, NamesTheMissingParameter) {
  auto no_model = inspect_chat_request(R"({"messages":[{"role":"user","content":"hi"}]})");
  ASSERT_FALSE(no_model);
  EXPECT_EQ(no_model.error().param, "model");
  auto no_messages = inspect_chat_request(R"({"model":"m"})");
  ASSERT_FALSE(no_messages);
  EXPECT_EQ(no_messages.error().param, "messages");
  auto empty_messages = inspect_chat_request(R"({"model":"m","messages":[]})");
  ASSERT_FALSE(empty_messages);
  EXPECT_EQ(empty_messages.error().param, "messages");
  auto roleless = inspect_chat_request(R"({"model":"m","messages":[{"role":"user"},{"content":"x"}]})");
  ASSERT_FALSE(roleless);
  EXPECT_EQ(roleless.error().param, "messages[1]");
}

TEST(OpenAIChatRequest, RejectsWrongTypes) {
  EXPECT_FALSE(inspect_chat_request(R"([1,2])"));
  EXPECT_FALSE(inspect_chat_request(R"({"model":7,"messages":[{"role":"user"}]})"));
  EXPECT_FALSE(inspect_chat_request(R"({"model":"m","messages":[{"role":"user"}],"stream":"yes"})"));
}

// The DOM reading inspect_chat_request replaced, kept as the reference its event-driven
// reading must agree with: the same view, or the same error, for every body.
std::string dom_inspect(std::string_view body) {
  json::error_code ec;
  json::value parsed = json::parse(body, ec);
  if (ec) return "error invalid_json: request body is not valid JSON: " + ec.message();
  const json::object* object = parsed.if_object();
  if (!object) return "error invalid_json";
  const json::value* model = object->if_contains("model");
  if (!model) return "error model missing";
  if (!model->is_string() || model->get_string().empty()) return "error model type";
  // A second "model" is refused: routing and the upstream could read different ones.
  if (testing::top_level_key_count(body, "model") > 1) return "error model duplicate";
  std::string out = "model=" + std::string(model->get_string());
  const json::value* messages = object->if_contains("messages");
  if (!messages) return "error messages missing";
  if (!messages->is_array() || messages->get_array().empty()) return "error messages type";
  std::size_t index = 0;
  for (const json::value& message : messages->get_array()) {
    const json::object* fields = message.if_object();
    const json::value* role = fields ? fields->if_contains("role") : nullptr;
    if (!role || !role->is_string()) return "error messages[" + std::to_string(index) + "]";
    ++index;
  }
  if (const json::value* models = object->if_contains("models"); models && !models->is_null()) {
    if (!models->is_array()) return "error models";
    for (const json::value& name : models->get_array()) {
      if (!name.is_string()) return "error models";
      out += " fallback=" + std::string(name.get_string());
    }
  }
  if (const json::value* stream = object->if_contains("stream"); stream && !stream->is_null()) {
    if (!stream->is_bool()) return "error stream";
    out += stream->get_bool() ? " stream" : "";
  }
  if (const json::value* options = object->if_contains("stream_options"); options && !options->is_null()) {
    if (!options->is_object()) return "error stream_options";
    if (const json::value* include = options->get_object().if_contains("include_usage"); include && include->is_bool()) {
      out += include->get_bool() ? " include_usage" : "";
    }
  }
  return out;
}

std::string event_inspect(std::string_view body) {
  auto view = inspect_chat_request(body);
  if (!view) {
    const GatewayError& error = view.error();
    if (error.code == "invalid_json") {
      return error.message.starts_with("request body is not valid JSON") ? "error invalid_json: " + error.message
                                                                         : "error invalid_json";
    }
    if (error.param == "model") {
      if (error.code == "duplicate_member") return "error model duplicate";
      return error.code == "missing_required_parameter" ? "error model missing" : "error model type";
    }
    if (error.param == "messages") {
      return error.code == "missing_required_parameter" ? "error messages missing" : "error messages type";
    }
    return "error " + error.param;
  }
  std::string out = "model=" + view->model;
  for (const std::string& name : view->fallback_models) out += " fallback=" + name;
  if (view->stream) out += " stream";
  if (view->include_usage) out += " include_usage";
  return out;
}

TEST(OpenAIChatRequest, ReadsBodiesAsTheDomDid) {
  const char* bodies[] = {
      R"({"model":"m","messages":[{"role":"user","content":"hi"}]})",
      R"({"model":"m","messages":[{"role":"user"}],"model":"last"})",
      R"({"model":"m","messages":[{"role":"user"}],"model":7})",
      R"({"model":"","messages":[{"role":"user"}]})",
      R"({"model":"a\u00e9\"b","messages":[{"role":"user"}]})",
      R"({"model":"m","messages":[{"role":7}],"messages":[{"role":"user"}]})",
      R"({"model":"m","messages":[{"role":"user"}],"messages":[{"content":"x"}]})",
      R"({"model":"m","messages":[{"role":"user","role":null}]})",
      R"({"model":"m","messages":[{"role":{"x":"y"}}]})",
      R"({"model":"m","messages":[{"content":{"role":"nested"}}]})",
      R"({"model":"m","messages":[[{"role":"user"}]]})",
      R"({"model":"m","messages":[{"role":"user"},"text"]})",
      R"({"model":"m","messages":{"role":"user"}})",
      R"({"model":"m","messages":[{"role":"user"}],"models":["a","b\n"]})",
      R"({"model":"m","messages":[{"role":"user"}],"models":["a",["b"]]})",
      R"({"model":"m","messages":[{"role":"user"}],"models":null})",
      R"({"model":"m","messages":[{"role":"user"}],"models":"a"})",
      R"({"model":"m","messages":[{"role":"user"}],"stream":true,"stream":null})",
      R"({"model":"m","messages":[{"role":"user"}],"stream":1})",
      R"({"model":"m","messages":[{"role":"user"}],"stream":true,"stream_options":{"include_usage":true}})",
      R"({"model":"m","messages":[{"role":"user"}],"stream_options":{"include_usage":true,"include_usage":"x"}})",
      R"({"model":"m","messages":[{"role":"user"}],"stream_options":{"include_usage":true},"tools":[false]})",
      R"({"model":"m","messages":[{"role":"user"}],"stream_options":[true]})",
      R"({"model":"m","messages":[{"role":"user"}],"stream_options":{"x":{"include_usage":true}}})",
      R"({"model":"m","messages":[{"role":"user"}]} )",
      R"({"model":"m","messages":[{"role":"user"}]} x)",
      R"({"model":"m","messages":[{"role":"user"}]}{})",
      R"({"model":"m",})",
      R"({"model":"m","messages":[{"role":"user"}],"n":1e999})",
      R"("just a string")",
      R"(null)",
      "",
      "  ",
  };
  for (const char* body : bodies) EXPECT_EQ(event_inspect(body), dom_inspect(body)) << body;

  // Random bodies built from the members inspect reads, with values of every kind.
  std::mt19937 random(7);
  const char* values[] = {R"("m")", R"("")", "7", "null", "true", "false", "[]", "{}", R"([{"role":"user"}])",
                          R"([{"role":"user"},{"role":1}])", R"([{"content":"x"}])", R"(["a","b"])", R"([1])",
                          R"({"include_usage":true})", R"({"include_usage":false})", R"({"include_usage":1})",
                          R"({"role":"system"})", R"([[{"role":"user"}]])", R"("a"\[{")"};
  const char* keys[] = {"model", "messages", "models", "stream", "stream_options", "role", "include_usage", "tools"};
  for (int round = 0; round < 5000; ++round) {
    std::string body = testing::random_object(random, keys, values, 7);
    ASSERT_EQ(event_inspect(body), dom_inspect(body)) << body;
  }
}

TEST(OpenAIChatRequest, PassthroughRewritesOnlyTheModel) {
  std::string body = R"({"model":"fast","messages":[{"role":"user","content":"hi"}],"x_custom":{"a":[1,2]},"temperature":0.70})";
  auto view = inspect_chat_request(body);
  ASSERT_TRUE(view);
  EXPECT_EQ(passthrough_body(body, view->edits(), "gpt-4o-mini"),
            R"({"model":"gpt-4o-mini","messages":[{"role":"user","content":"hi"}],"x_custom":{"a":[1,2]},"temperature":0.70})");
}

TEST(OpenAIChatRequest, PassthroughAsksForStreamUsageTheClientDidNotRequest) {
  std::string body = R"({"model":"fast","messages":[{"role":"user","content":"hi"}],"stream":true})";
  auto view = inspect_chat_request(body);
  ASSERT_TRUE(view);
  json::value sent = json::parse(passthrough_body(body, view->edits(), "up"));
  EXPECT_EQ(sent.at("model"), "up");
  EXPECT_EQ(sent.at("stream_options").at("include_usage"), true);
}

TEST(OpenAIChatRequest, PassthroughKeepsOtherStreamOptions) {
  std::string body = R"({"model":"fast","messages":[{"role":"user"}],"stream":true,"stream_options":{"include_obfuscation":false}})";
  auto view = inspect_chat_request(body);
  ASSERT_TRUE(view);
  EXPECT_FALSE(view->include_usage);
  json::value sent = json::parse(passthrough_body(body, view->edits(), "up"));
  EXPECT_EQ(sent.at("stream_options").at("include_usage"), true);
  EXPECT_EQ(sent.at("stream_options").at("include_obfuscation"), false);
}

TEST(OpenAIChatRequest, PassthroughLeavesNonStreamingBodiesAlone) {
  std::string body = R"({"model":"fast","messages":[{"role":"user"}]})";
  auto view = inspect_chat_request(body);
  ASSERT_TRUE(view);
  EXPECT_EQ(passthrough_body(body, view->edits(), "fast"), body);
}

TEST(OpenAIChatRequest, PassthroughEscapesModelNames) {
  std::string body = R"({"model":"a","messages":[{"role":"user"}]})";
  auto view = inspect_chat_request(body);
  ASSERT_TRUE(view);
  json::value sent = json::parse(passthrough_body(body, view->edits(), "we\"ird\\name"));
  EXPECT_EQ(sent.at("model"), "we\"ird\\name");
}

TEST(OpenAIChatRequest, RefusesABodyThatNamesTheModelTwice) {
  // Routing would read one and an upstream might read the other: a key allowed "a" would reach "b".
  for (const char* body : {R"({"model":"a","messages":[{"role":"user"}],"model":"b"})",
                           R"({"model":"a","messages":[{"role":"user"}],"mod\u0065l":"b"})"}) {
    auto view = inspect_chat_request(body);
    ASSERT_FALSE(view) << body;
    EXPECT_EQ(view.error().param, "model");
    EXPECT_EQ(view.error().code, "duplicate_member");
  }
}

TEST(OpenAIChatRequest, InspectionPlacesAPlainModelValue) {
  std::string body = R"({"messages":[{"role":"user"}],"model" :	"fast"})";
  auto view = inspect_chat_request(body);
  ASSERT_TRUE(view);
  ASSERT_TRUE(view->model_span.known());
  EXPECT_EQ(body.substr(view->model_span.begin, view->model_span.end - view->model_span.begin), R"("fast")");

  // Escapes: the parser's pieces are not the body's bytes, so the passthrough looks itself.
  std::string escaped = R"({"model":"a\"b","messages":[{"role":"user"}]})";
  auto escaped_view = inspect_chat_request(escaped);
  ASSERT_TRUE(escaped_view);
  EXPECT_FALSE(escaped_view->model_span.known());
  EXPECT_EQ(passthrough_body(escaped, escaped_view->edits(), "up"), R"({"model":"up","messages":[{"role":"user"}]})");
}

// A key written with escapes is the same key to the upstream's parser: leaving it beside a
// new "model" would let the client's own choice win there (the last key wins).
TEST(OpenAIChatRequest, PassthroughOverridesAModelKeySpelledWithEscapes) {
  std::string body = R"({"messages":[{"role":"user"}],"mod\u0065l":"gpt\u002d5"})";
  auto view = inspect_chat_request(body);
  ASSERT_TRUE(view);
  EXPECT_EQ(view->model, "gpt-5");
  EXPECT_EQ(json::parse(passthrough_body(body, view->edits(), "up")).at("model"), "up");
}

// The span the inspection gives must splice exactly where looking for the member would.
TEST(OpenAIChatRequest, PassthroughWithThePlacedModelEqualsLookingForIt) {
  std::mt19937 random(11);
  const char* values[] = {R"("m")", R"( "m" )", R"("a\"b")", R"("\"")", R"("x\\")", R"("é")", R"("")", "7", "null",
                          R"([{"role":"user"}])", R"({"model":"inner"})", R"(["a","b"])", R"({"include_usage":false})",
                          "true"};
  const char* keys[] = {"model", "models", "stream", "stream_options", "mod\\u0065l"};
  int placed = 0;
  for (int round = 0; round < 8000; ++round) {
    // Valid messages first, so most bodies pass and the model decides.
    std::string members = testing::random_object(random, keys, values, 6);
    std::string body = R"({"messages":[{"role":"user"}])" + (members.size() > 2 ? "," + members.substr(1) : "}");
    auto view = inspect_chat_request(body);
    if (!view) continue;
    PassthroughEdits edits = view->edits();
    PassthroughEdits unplaced = edits;
    unplaced.model = {};
    placed += edits.model.known();
    ASSERT_EQ(passthrough_body(body, edits, "up\"x"), passthrough_body(body, unplaced, "up\"x")) << body;
  }
  EXPECT_GT(placed, 100);  // the fast path ran, not only the fallback
}

}  // namespace
}  // namespace switchyard::openai
