// OpenAI Responses API answers: the `response` object <-> the canonical response, and its
// usage. Every output item carries an id and every output_text part an `annotations`
// array, even empty: the AI SDK and LangChain validate both.
#pragma once

#include <boost/json/value.hpp>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/canonical.h"
#include "core/json_writer.h"
#include "core/result.h"
#include "core/usage.h"

namespace switchyard::openai {

// Reads {"input_tokens","output_tokens","input_tokens_details":{"cached_tokens"},
// "output_tokens_details":{"reasoning_tokens"}}; missing fields count as zero.
Usage parse_responses_usage(const boost::json::value& usage);
void write_responses_usage(JsonWriter& json, const Usage& usage);

// The ids a response and its items are known by; the stream encoder keeps them from its first
// event to the final object.
struct ResponseIds {
  std::string response;               // resp_…
  std::vector<std::string> items;     // one per output block, in order
  std::int64_t created_at = 0;
  static ResponseIds fresh();
  const std::string& item(std::size_t index, const canonical::Block& block);
};

// The whole `response` object; `status` is in_progress, completed or incomplete (the
// stop reason says which reason an incomplete one gives).
// `with_logprobs`: output_text parts carry `logprobs: []`, as whole answers do (streamed ones do not).
void write_response_object(JsonWriter& json, ResponseIds& ids, std::string_view model, std::string_view status,
                           const std::vector<canonical::Block>& output, canonical::StopReason stop_reason,
                           const Usage* usage, bool with_logprobs);

// One output item: a message with one output_text part, a function_call, or reasoning.
void write_output_item(JsonWriter& json, const std::string& id, const canonical::Block& block, std::string_view status,
                       bool with_logprobs);

std::string encode_responses_response(const canonical::Response& response, std::string_view model);
Result<canonical::Response> decode_responses_response(std::string_view body);

// Usage of a complete `response` body; `reported` is false when it has none.
Usage usage_from_responses_body(std::string_view body);

// completed, or incomplete for a stop the client did not ask for.
std::string_view response_status_for(canonical::StopReason reason);

}  // namespace switchyard::openai
