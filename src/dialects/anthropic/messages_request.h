// Anthropic Messages requests: what routing needs, the passthrough rewrite, and the
// translation to and from the canonical model.
#pragma once

#include <string>
#include <string_view>

#include "core/canonical.h"
#include "core/result.h"

namespace switchyard::anthropic {

// The name of the tool Switchyard adds to carry JSON mode to Anthropic (which has no
// JSON flag): the model is made to call it, and its input comes back as the text.
inline constexpr std::string_view kJsonTool = "switchyard_json_response";

struct MessagesRequestView {
  std::string model;
  bool stream = false;
  std::optional<std::int64_t> max_tokens;
};

// Checks the request is a JSON object with a model and a messages array.
Result<MessagesRequestView> inspect_messages_request(std::string_view body);

// Same-dialect passthrough: only `model` is rewritten.
std::string passthrough_body(std::string_view body, std::string_view upstream_model);

Result<canonical::Request> decode_messages_request(std::string_view body);

Result<std::string> encode_messages_request(const canonical::Request& request, const canonical::EncodeOptions& options);

}  // namespace switchyard::anthropic
