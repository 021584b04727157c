// One table per dialect with everything the pipeline asks of a wire format, so the
// pipeline itself never names a vendor. Translation always goes through the canonical
// model: decode with the source dialect's table, encode with the target's.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/canonical.h"
#include "core/json_splice.h"
#include "core/result.h"
#include "dialects/dialect.h"
#include "dialects/stream_codec.h"

namespace switchyard {

// Watches a same-dialect stream relayed byte for byte: meters usage, notices errors, and
// may withhold a frame the gateway added for itself.
class PassthroughTap {
 public:
  virtual ~PassthroughTap() = default;
  // Returns true when the frame goes to the client.
  virtual bool on_frame(std::string_view frame) = 0;
  virtual Usage usage() const = 0;
  virtual bool saw_error() const = 0;
};

// What the gateway must know of a request before routing it.
struct RequestView {
  std::string model;
  bool stream = false;
  bool include_usage = false;  // the client asked for usage in the stream (OpenAI)
  // Per-request fallbacks: OpenRouter's `models` list, so OpenRouter users switch without
  // code changes. Consumed by the router, never sent upstream.
  std::vector<std::string> fallback_models;
  // Where the body's model value lies, when the inspection placed it (OpenAI).
  json_splice::ValueSpan model_span;
};

struct ModelListEntry {
  std::string id;
  std::string owned_by;
};

struct DialectCodec {
  Dialect dialect;
  // Light validation of what routing needs; the body itself is not rebuilt.
  Result<RequestView> (*inspect_request)(std::string_view body, std::string_view path_model, bool path_stream);
  // The same-dialect body for the upstream: only the model changes (if it is in the body).
  std::string (*passthrough_body)(std::string_view body, const RequestView& view, std::string_view upstream_model);
  // `path_model` and `path_stream` come from the URL for dialects that put them there.
  Result<canonical::Request> (*decode_request)(std::string_view body, std::string_view path_model, bool path_stream);
  Result<std::string> (*encode_request)(const canonical::Request& request, const canonical::EncodeOptions& options);
  Result<canonical::Response> (*decode_response)(std::string_view body);
  std::string (*encode_response)(const canonical::Response& response, std::string_view model);
  std::unique_ptr<StreamDecoder> (*make_stream_decoder)();
  std::unique_ptr<StreamEncoder> (*make_stream_encoder)(std::string model, bool include_usage);
  GatewayError (*decode_error)(int status, std::string_view body);
  // `request_id` is the gateway's, for dialects whose error bodies carry one.
  std::string (*error_body)(const GatewayError& error, std::string_view request_id);
  // The status an overloaded upstream (503 or 529) is reported with to this dialect's clients.
  int overloaded_status;
  std::string (*error_frame)(const GatewayError& error);
  // Same-dialect relay support.
  Usage (*usage_from_response)(std::string_view body);
  std::unique_ptr<PassthroughTap> (*make_passthrough_tap)(bool client_wants_usage);
  std::string (*model_list_body)(const std::vector<ModelListEntry>& models);
  // Embeddings; null for dialects without an embeddings API. `single` is Gemini's
  // :embedContent (one input) as opposed to :batchEmbedContents.
  Result<canonical::EmbeddingRequest> (*decode_embedding_request)(std::string_view body, std::string_view path_model,
                                                                  bool single);
  Result<std::string> (*encode_embedding_request)(const canonical::EmbeddingRequest& request,
                                                  const canonical::EncodeOptions& options);
  Result<canonical::EmbeddingResponse> (*decode_embedding_response)(std::string_view body);
  std::string (*encode_embedding_response)(const canonical::EmbeddingResponse& response,
                                           const canonical::EmbeddingRequest& request);
  // Token counting; null for dialects without a counting API (the gateway estimates).
  Result<canonical::Request> (*decode_count_request)(std::string_view body, std::string_view path_model);
  Result<std::string> (*encode_count_request)(const canonical::Request& request, const canonical::EncodeOptions& options);
  Result<std::int64_t> (*decode_count_response)(std::string_view body);
  std::string (*encode_count_response)(std::int64_t input_tokens);
};

const DialectCodec& codec_for(Dialect dialect);

}  // namespace switchyard
