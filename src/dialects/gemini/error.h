// Errors in Gemini's shape: google.rpc.Status wrapped in {"error": {code, message, status}}.
#pragma once

#include <string>
#include <string_view>

#include "core/error.h"

namespace switchyard::gemini {

std::string error_body(const GatewayError& error);
// A `data: {"error": ...}` frame; the genai SDK throws ApiError on it.
std::string error_frame(const GatewayError& error);
// Google answers a bad API key with 400 API_KEY_INVALID; it is reported as 401.
GatewayError decode_error(int status, std::string_view body);

}  // namespace switchyard::gemini
