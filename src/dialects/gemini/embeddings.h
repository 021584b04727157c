// Gemini :embedContent and :batchEmbedContents <-> canonical embeddings. The genai SDK
// always calls :batchEmbedContents, even for one input.
#pragma once

#include <string>
#include <string_view>

#include "core/canonical.h"
#include "core/result.h"

namespace switchyard::gemini {

// `single` selects the :embedContent body shape; the model comes from the path.
Result<canonical::EmbeddingRequest> decode_embedding_request(std::string_view body, std::string_view path_model, bool single);
Result<std::string> encode_embedding_request(const canonical::EmbeddingRequest& request, const canonical::EncodeOptions& options);
Result<canonical::EmbeddingResponse> decode_embedding_response(std::string_view body);
std::string encode_embedding_response(const canonical::EmbeddingResponse& response, const canonical::EmbeddingRequest& request);

}  // namespace switchyard::gemini
