// Gemini generateContent requests <-> the canonical model. The model and the stream switch
// live in the URL (models/{model}:generateContent or :streamGenerateContent), not the body.
#pragma once

#include <string>
#include <string_view>

#include "core/canonical.h"
#include "core/result.h"

namespace switchyard::gemini {

Result<canonical::Request> decode_generate_request(std::string_view body, std::string_view model, bool stream);

// The body only; the provider puts the model and the method into the URL.
Result<std::string> encode_generate_request(const canonical::Request& request, const canonical::EncodeOptions& options);

// Checks the body is a JSON object with non-empty `contents`, for the passthrough path.
Status inspect_generate_request(std::string_view body);

}  // namespace switchyard::gemini
