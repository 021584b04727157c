#include "dialects/gemini/generate_response.h"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

namespace switchyard::gemini {
namespace {
namespace json = boost::json;

json::object dom_usage(const Usage& usage) {
  json::object out{{"promptTokenCount", usage.input_tokens},
                   {"candidatesTokenCount", usage.output_tokens - usage.reasoning_tokens},
                   {"totalTokenCount", usage.input_tokens + usage.output_tokens}};
  if (usage.reasoning_tokens) out["thoughtsTokenCount"] = usage.reasoning_tokens;
  if (usage.cache_read_tokens) out["cachedContentTokenCount"] = usage.cache_read_tokens;
  return out;
}

// The DOM encoding encode_generate_response replaced, kept as the reference its text must
// equal.
std::string dom_encode(const canonical::Response& response, std::string_view model) {
  json::array parts;
  for (const auto& block : response.content) {
    if (auto* text = std::get_if<canonical::TextBlock>(&block)) {
      parts.push_back(json::object{{"text", text->text}});
    } else if (auto* call = std::get_if<canonical::ToolCallBlock>(&block)) {
      json::error_code ec;
      json::value args = json::parse(call->arguments, ec);
      if (ec || !args.is_object()) args = json::object{};
      parts.push_back(json::object{{"functionCall", json::object{{"id", call->id}, {"name", call->name}, {"args", std::move(args)}}}});
    } else if (auto* thinking = std::get_if<canonical::ThinkingBlock>(&block); thinking && !thinking->text.empty()) {
      parts.push_back(json::object{{"text", thinking->text}, {"thought", true}});
    }
  }
  if (parts.empty()) parts.push_back(json::object{{"text", ""}});
  json::object candidate{{"content", json::object{{"parts", std::move(parts)}, {"role", "model"}}},
                         {"finishReason", finish_reason_for(response.stop_reason)},
                         {"index", 0}};
  json::object body{{"candidates", json::array{std::move(candidate)}},
                    {"usageMetadata", dom_usage(response.usage)},
                    {"modelVersion", model},
                    {"responseId", response.id}};
  return json::serialize(body);
}

TEST(GeminiEncodeGenerateResponse, WritesWhatSerializingTheDomWould) {
  canonical::Response response;
  response.id = "resp-1";
  response.content = {canonical::ThinkingBlock{"thinking \"aloud\"", "sig", ""},
                      canonical::ThinkingBlock{"", "", "REDACTED"},
                      canonical::TextBlock{"Hello\n\u00e9 \x01"},
                      canonical::TextBlock{""},
                      canonical::ToolCallBlock{"call_1", "get_weather", R"({"city": "Paris", "n": 1.50, "deep": [1, {"a": null}]})"},
                      canonical::ToolCallBlock{"call_2", "broken", R"({"city":)"},
                      canonical::ToolCallBlock{"call_3", "array", "[1,2]"}};
  response.stop_reason = canonical::StopReason::max_tokens;
  response.usage = {120, 45, 80, 10, 5, true};
  EXPECT_EQ(encode_generate_response(response, "gemini-2.5-flash"), dom_encode(response, "gemini-2.5-flash"));

  canonical::Response empty;
  empty.id = "resp-2";
  empty.content = {canonical::ThinkingBlock{"", "", "REDACTED"}};
  EXPECT_EQ(encode_generate_response(empty, "m\"x"), dom_encode(empty, "m\"x"));
}

TEST(GeminiEncodeGenerateResponse, GivesAnIdWhenTheUpstreamHadNone) {
  std::string out = encode_generate_response(canonical::Response{}, "m");
  EXPECT_FALSE(json::parse(out).at("responseId").as_string().empty());
}

}  // namespace
}  // namespace switchyard::gemini
