// OpenAI /v1/embeddings <-> canonical embeddings. The SDK asks for base64 by default:
// packed little-endian float32 bytes.
#pragma once

#include <string>
#include <string_view>

#include "core/canonical.h"
#include "core/result.h"

namespace switchyard::openai {

Result<canonical::EmbeddingRequest> decode_embedding_request(std::string_view body, std::string_view path_model);
Result<std::string> encode_embedding_request(const canonical::EmbeddingRequest& request, const canonical::EncodeOptions& options);
Result<canonical::EmbeddingResponse> decode_embedding_response(std::string_view body);
std::string encode_embedding_response(const canonical::EmbeddingResponse& response, const canonical::EmbeddingRequest& request);

}  // namespace switchyard::openai
