// OpenAI Chat Completions as a DialectCodec: what every OpenAI-compatible service speaks.
#pragma once

#include <string_view>

#include "dialects/codec.h"

namespace switchyard::openai {

const DialectCodec& codec();
// The Responses API (POST /v1/responses).
const DialectCodec& responses_codec();

// A chunk with nothing to show yet: a role-only or empty delta, a comment, a choices-less
// chunk such as Azure's prompt filter results.
bool is_preamble_frame(std::string_view frame);

}  // namespace switchyard::openai
