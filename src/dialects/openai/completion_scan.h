// Reads the commonest chat.completion, a first choice with text (and perhaps reasoning or
// a refusal) but no tool calls, off the parser's events: the DOM of the answer cost more
// than the rest of translating it for an Anthropic or Gemini client. Anything less plain
// (tool calls, content parts, a member given twice, a value the DOM reading would coerce)
// is left to decode_chat_response's DOM reading, so both readings give the same Response
// for every body (a differential test holds them to it).
#pragma once

#include <optional>
#include <string_view>

#include "core/canonical.h"

namespace switchyard::openai {

// The answer, or nullopt when it is not a plain text completion (or not JSON at all).
std::optional<canonical::Response> scan_text_completion(std::string_view body);

}  // namespace switchyard::openai
