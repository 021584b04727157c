// OpenAI's usage object <-> the canonical Usage.
#pragma once

#include <boost/json/object.hpp>
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

// The usage object OpenAI clients expect: prompt_tokens includes cache reads and
// completion_tokens includes reasoning, with the details broken out.
void write_usage(JsonWriter& json, const Usage& usage);

}  // namespace switchyard::openai
