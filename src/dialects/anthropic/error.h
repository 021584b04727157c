// Errors in Anthropic's shape: {"type":"error","error":{"type","message"},"request_id"}.
#pragma once

#include <string>
#include <string_view>

#include "core/error.h"

namespace switchyard::anthropic {

std::string error_body(const GatewayError& error, std::string_view request_id = {});

// An `event: error` frame; the SDK's stream throws APIError on it.
std::string error_frame(const GatewayError& error);

// Reads an Anthropic error body (any status) into a GatewayError with that status.
GatewayError decode_error(int status, std::string_view body);

}  // namespace switchyard::anthropic
