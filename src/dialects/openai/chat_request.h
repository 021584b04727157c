// OpenAI Chat Completions requests: what the gateway must know before routing, and the
// byte-preserving rewrite the same-dialect passthrough sends upstream.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/canonical.h"
#include "core/json_splice.h"
#include "core/result.h"

namespace switchyard::openai {

// What the passthrough body changes besides the model's name.
struct PassthroughEdits {
  json_splice::ValueSpan model;   // where the model's value lies in the body; looked for when not known
  bool drop_models = false;       // OpenRouter's fallback list is for the gateway
  bool ask_stream_usage = false;  // a stream whose client did not ask for the usage chunk
};

struct ChatRequestView {
  std::string model;
  bool stream = false;
  bool include_usage = false;  // the client asked for the usage chunk (stream_options.include_usage)
  std::vector<std::string> fallback_models;  // OpenRouter's `models`, if the client sent one
  // The last top-level "model" value's bytes, when the inspection saw them as they are
  // (no escapes), so the passthrough need not look for it again.
  json_splice::ValueSpan model_span;
  std::string user;  // the top-level `user` string, if any
  std::optional<std::int64_t> max_output_tokens;  // max_completion_tokens, else max_tokens

  PassthroughEdits edits() const { return {model_span, !fallback_models.empty(), stream && !include_usage}; }
};

// Validates the parts of the body the gateway relies on (a JSON object with a string
// `model` and a non-empty `messages` array of objects with a `role`); everything else is
// left for the upstream to judge, so new API fields pass through without a gateway release.
Result<ChatRequestView> inspect_chat_request(std::string_view body);

// The body for an OpenAI-dialect upstream: `model` replaced by `upstream_model`, and for
// streams `stream_options.include_usage` forced on so the gateway always learns usage
// (the relay strips the usage chunk again when the client did not ask for it).
// All other bytes are the client's own.
std::string passthrough_body(std::string_view body, const PassthroughEdits& edits, std::string_view upstream_model);

// The whole request in the canonical model, for translation to another dialect.
// Parameters without a canonical home land in `extensions` under their wire names.
Result<canonical::Request> decode_chat_request(std::string_view body);

// A canonical request as an OpenAI Chat Completions body for `options.upstream_model`.
// Streams always ask for usage. Fails (400) on what the API cannot take, per options.
Result<std::string> encode_chat_request(const canonical::Request& request, const canonical::EncodeOptions& options);

}  // namespace switchyard::openai
