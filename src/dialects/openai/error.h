// Errors in OpenAI's shape: {"error":{"message","type","param","code"}}, which the
// official SDKs turn into their error classes by HTTP status.
#pragma once

#include <string>
#include <string_view>

#include "core/error.h"

namespace switchyard::openai {

std::string error_body(const GatewayError& error);

// An in-stream error after the response has started: the SDK throws APIError on it.
std::string error_frame(const GatewayError& error);

// Reads an OpenAI error body (any status) into a GatewayError with that status.
GatewayError decode_error(int status, std::string_view body);

}  // namespace switchyard::openai
