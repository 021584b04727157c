// OpenAI's usage object <-> the canonical Usage.
#pragma once

#include <boost/json/object.hpp>
#include <optional>
#include <string_view>

#include "core/json_writer.h"
#include "core/usage.h"

namespace switchyard::openai {

// Reads {"prompt_tokens","completion_tokens","prompt_tokens_details":{"cached_tokens"},
// "completion_tokens_details":{"reasoning_tokens"}}. Missing fields count as zero.
Usage parse_usage(const boost::json::value& usage);

// Usage of a complete (non-streamed) chat.completion body; `reported` is false when the
// body has none or is not JSON.
Usage usage_from_response(std::string_view body);

// Usage from the text of a usage object (as `usage_from_response` finds it in a body).
Usage usage_from_text(std::string_view usage);
// The same for the Responses API's usage object (input_tokens, output_tokens and their details).
Usage usage_from_responses_text(std::string_view usage);

// usage_from_text's way through the usage object of nearly every response and stream:
// OpenAI's compact form, whose members are integers or objects of integers, as in
//   {"prompt_tokens":19,"completion_tokens":20,"total_tokens":39,
//    "prompt_tokens_details":{"cached_tokens":0},"completion_tokens_details":{...}}
// read without the JSON reader. nullopt for anything else (a space, a string, a fraction,
// null, an array, deeper nesting), which the reader then takes.
std::optional<Usage> read_compact_usage(std::string_view usage);

// The usage object OpenAI clients expect: prompt_tokens includes cache reads and
// completion_tokens includes reasoning, with the details broken out.
void write_usage(JsonWriter& json, const Usage& usage);

}  // namespace switchyard::openai
