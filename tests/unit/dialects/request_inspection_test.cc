// The Anthropic and Gemini request inspections, read off the JSON reader's events, against
// the DOM readings they replaced: the same verdict and view for every body.
#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <random>
#include <string>

#include "../random_json.h"
#include "dialects/anthropic/messages_request.h"
#include "dialects/gemini/generate_request.h"

namespace switchyard {
namespace {

namespace json = boost::json;

std::string anthropic_by_dom(std::string_view body) {
  json::error_code ec;
  json::value parsed = json::parse(body, ec);
  if (ec || !parsed.is_object()) return "error request body is not a valid JSON object";
  const json::object& root = parsed.get_object();
  const json::value* model = root.if_contains("model");
  if (!model || !model->is_string() || model->get_string().empty()) return "error model";
  // A second "model" is refused: routing and the upstream could read different ones.
  if (testing::top_level_key_count(body, "model") > 1) return "error model";
  const json::value* messages = root.if_contains("messages");
  if (!messages || !messages->is_array()) return "error messages";
  const json::value* stream = root.if_contains("stream");
  bool streaming = stream && stream->is_bool() && stream->get_bool();
  return "model=" + std::string(model->get_string()) + (streaming ? " stream" : "");
}

std::string anthropic_by_events(std::string_view body) {
  auto view = anthropic::inspect_messages_request(body);
  if (!view) return view.error().param.empty() ? "error " + view.error().message : "error " + view.error().param;
  return "model=" + view->model + (view->stream ? " stream" : "");
}

std::string gemini_by_dom(std::string_view body) {
  json::error_code ec;
  json::value parsed = json::parse(body, ec);
  if (ec || !parsed.is_object()) return "error Invalid JSON payload received.";
  const json::value* contents = parsed.get_object().if_contains("contents");
  if (!contents || !contents->is_array() || contents->get_array().empty()) return "error contents";
  return "ok";
}

std::string gemini_by_events(std::string_view body) {
  auto checked = gemini::inspect_generate_request(body);
  if (!checked) return checked.error().param.empty() ? "error " + checked.error().message : "error " + checked.error().param;
  return "ok";
}

TEST(RequestInspection, AnthropicAndGeminiBodiesReadAsTheDomDid) {
  const char* keys[] = {"model", "messages", "stream", "contents", "system", "max_tokens"};
  const char* values[] = {R"("claude")", R"("")", R"("m\"odel\u00e9")", "7", "1.5", "null", "true", "false", "[]",
                          R"([{"role":"user","content":"hi"}])", R"([[],{}])", R"({"model":"inner"})",
                          R"({"messages":[],"stream":true})", R"([{"stream":true,"contents":[]}])", R"("[]")"};
  std::mt19937 random(5);
  int anthropic_views = 0;
  int gemini_views = 0;
  for (int round = 0; round < 6000; ++round) {
    std::string body = testing::random_object(random, keys, values, 4);
    if (round % 2 == 0) {  // a valid start, which the random members may then override
      std::string valid = R"("model":"claude","messages":[],"contents":[{}])";
      body.insert(1, body.size() > 2 ? valid + "," : valid);
    }
    if (round % 50 == 0) body.pop_back();           // cut short
    if (round % 50 == 1) body = "[" + body + "]";   // not an object
    if (round % 50 == 2) body += " x";              // bytes after
    std::string anthropic = anthropic_by_events(body);
    ASSERT_EQ(anthropic, anthropic_by_dom(body)) << body;
    ASSERT_EQ(gemini_by_events(body), gemini_by_dom(body)) << body;
    anthropic_views += anthropic.starts_with("model=");
    gemini_views += gemini_by_events(body) == "ok";
  }
  // Both verdicts must come up often enough for the comparison to mean something.
  EXPECT_GT(anthropic_views, 500);
  EXPECT_GT(gemini_views, 500);
}

}  // namespace
}  // namespace switchyard
