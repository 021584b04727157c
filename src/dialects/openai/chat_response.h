// OpenAI chat.completion bodies <-> the canonical Response.
#pragma once

#include <string>
#include <string_view>

#include "core/canonical.h"
#include "core/result.h"

namespace switchyard::openai {

// A plain text completion is read off the parser's events (scan_text_completion), any
// other through decode_chat_response_tree.
Result<canonical::Response> decode_chat_response(std::string_view body);
// The reading of every chat.completion, from its DOM.
Result<canonical::Response> decode_chat_response_tree(std::string_view body);

// `model` is the name reported to the client.
std::string encode_chat_response(const canonical::Response& response, std::string_view model);

std::string_view finish_reason_for(canonical::StopReason reason);
canonical::StopReason stop_reason_from(std::string_view finish_reason);

}  // namespace switchyard::openai
