// The wire formats Switchyard speaks. A dialect is a codec: it decodes and encodes one
// format's requests, responses, stream events and errors, without any I/O.
#pragma once

#include <string_view>

namespace switchyard {

enum class Dialect {
  openai_chat,         // OpenAI Chat Completions, and every OpenAI-compatible service
  openai_responses,    // the OpenAI Responses API
  anthropic_messages,  // Anthropic Messages
  gemini,              // Google Gemini generateContent
};

std::string_view dialect_name(Dialect dialect);

}  // namespace switchyard
