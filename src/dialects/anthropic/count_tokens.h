// POST /v1/messages/count_tokens: the Messages body without max_tokens and sampling.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/canonical.h"
#include "core/result.h"

namespace switchyard::anthropic {

Result<canonical::Request> decode_count_request(std::string_view body, std::string_view path_model);
Result<std::string> encode_count_request(const canonical::Request& request, const canonical::EncodeOptions& options);
Result<std::int64_t> decode_count_response(std::string_view body);
std::string encode_count_response(std::int64_t input_tokens);

}  // namespace switchyard::anthropic
