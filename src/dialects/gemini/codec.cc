#include "dialects/gemini/codec.h"

#include "dialects/credentials.h"
#include "dialects/gemini/count_tokens.h"
#include "dialects/gemini/embeddings.h"
#include "dialects/gemini/error.h"
#include "dialects/gemini/generate_request.h"
#include "dialects/gemini/generate_response.h"
#include "dialects/gemini/generate_stream.h"
#include "dialects/gemini/models.h"
#include "http/sse.h"

namespace switchyard::gemini {
namespace {

Result<RequestView> inspect(std::string_view body, std::string_view path_model, bool path_stream) {
  auto checked = inspect_generate_request(body);
  if (!checked) return checked.take_error();
  // generationConfig.maxOutputTokens is nested: limits reserve the configured default cap.
  return RequestView{std::string(path_model), path_stream, true, {}, {}, {}, {}, std::nullopt};
}

Usage usage_from_response(std::string_view body) {
  auto response = decode_generate_response(body);
  return response ? response->usage : Usage{};
}

// The SDK sends x-goog-api-key; a key may also come as ?key=, as Google's REST examples
// show (it never reaches logs: paths are logged without their query).
std::string_view credential(const http::ClientRequest& request) {
  std::string_view key = credentials::header(request, "x-goog-api-key");
  return key.empty() ? credentials::query_parameter(request, "key") : key;
}

const ChatCodec kChat{
    .inspect_request = inspect,
    .passthrough_body = [](std::string_view body, const RequestView&, std::string_view) {
      return std::string(body);  // the model travels in the URL
    },
    .decode_request = decode_generate_request,
    .encode_request = encode_generate_request,
    .decode_response = decode_generate_response,
    .encode_response = encode_generate_response,
    .make_stream_decoder = []() -> std::unique_ptr<StreamDecoder> { return std::make_unique<GenerateStreamDecoder>(); },
    .make_stream_encoder = [](std::string model, bool) -> std::unique_ptr<StreamEncoder> {
      return std::make_unique<GenerateStreamEncoder>(std::move(model));
    },
    .usage_from_response = usage_from_response,
    .make_passthrough_tap = [](bool) -> std::unique_ptr<PassthroughTap> {
      return std::make_unique<ForwardingTap<GenerateStreamTap>>();
    },
    .is_preamble_frame = is_preamble_frame,
};

const ErrorCodec kErrors{
    .decode_error = decode_error,
    .error_body = [](const GatewayError& error, std::string_view) { return error_body(error); },
    .error_frame = error_frame,
    .overloaded_status = 503,
};

const EmbeddingsCodec kEmbeddings{
    .decode_request = decode_embedding_request,
    .encode_request = encode_embedding_request,
    .decode_response = decode_embedding_response,
    .encode_response = encode_embedding_response,
};

const CountTokensCodec kCountTokens{
    .decode_request = decode_count_request,
    .encode_request = encode_count_request,
    .decode_response = decode_count_response,
    .encode_response = encode_count_response,
};

const ModelListCodec kModelList{.body = model_list_body, .marker_header = {}};

const DialectCodec kCodec{Dialect::gemini, kChat, kErrors, ClientAuth{credential}, kModelList, &kEmbeddings,
                          &kCountTokens};

}  // namespace

const DialectCodec& codec() { return kCodec; }

bool is_preamble_frame(std::string_view frame) {
  http::SseEvent event = http::parse_sse_frame(frame);
  if (event.data().empty()) return true;
  // Read as the translation would read it: content is any event past the message's start.
  GenerateStreamDecoder decoder;
  std::vector<canonical::StreamEvent> events;
  decoder.decode(event, events);
  for (const canonical::StreamEvent& decoded : events) {
    if (!std::holds_alternative<canonical::MessageStart>(decoded)) return false;
  }
  return true;
}

}  // namespace switchyard::gemini
