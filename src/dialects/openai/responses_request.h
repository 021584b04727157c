// OpenAI Responses API requests (POST /v1/responses) <-> the canonical model: what routing
// needs, the same-dialect passthrough, and translation both ways. Input items map onto
// canonical turns: messages, function_call (an assistant's tool call), function_call_output
// (a tool result in a user turn) and reasoning (thinking, its encrypted_content carrying the
// signature a vendor needs replayed).
#pragma once

#include <string>
#include <string_view>

#include "core/canonical.h"
#include "core/result.h"
#include "dialects/codec.h"

namespace switchyard::openai {

// Checks what routing relies on (a JSON object with a string `model` and an `input` that is a
// string or an array) and refuses, by name, what the gateway does not offer (`background`,
// `conversation`). Everything else is left for the upstream, or the decoder, to judge.
Result<RequestView> inspect_responses_request(std::string_view body);

// The same-dialect body for an upstream: only the model's value changes.
std::string responses_passthrough_body(std::string_view body, const RequestView& view, std::string_view upstream_model);

Result<canonical::Request> decode_responses_request(std::string_view body);

// A canonical request as a Responses body for `options.upstream_model`. Nothing is stored
// upstream (`store: false`): the conversation is the client's, in another dialect.
Result<std::string> encode_responses_request(const canonical::Request& request, const canonical::EncodeOptions& options);

}  // namespace switchyard::openai
