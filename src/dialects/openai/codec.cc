#include "dialects/openai/codec.h"

#include "dialects/credentials.h"
#include "dialects/openai/chat_request.h"
#include "dialects/openai/chat_response.h"
#include "dialects/openai/chat_stream.h"
#include "dialects/openai/chunk_scan.h"
#include "dialects/openai/embeddings.h"
#include "dialects/openai/error.h"
#include "dialects/openai/models.h"
#include "dialects/openai/usage.h"
#include "http/sse.h"

namespace switchyard::openai {
namespace {

class Tap final : public PassthroughTap {
 public:
  explicit Tap(bool client_wants_usage) : tap_(client_wants_usage) {}
  bool on_frame(std::string_view frame) override { return tap_.on_frame(frame); }
  Usage usage() const override { return tap_.usage(); }
  bool saw_error() const override { return tap_.saw_error(); }

 private:
  ChatStreamTap tap_;
};

Result<RequestView> inspect(std::string_view body, std::string_view, bool) {
  auto view = inspect_chat_request(body);
  if (!view) return view.take_error();
  return RequestView{std::move(view->model), view->stream, view->include_usage, std::move(view->fallback_models),
                     view->model_span, {}, std::move(view->user), view->max_output_tokens};
}

std::string passthrough(std::string_view body, const RequestView& view, std::string_view upstream_model) {
  PassthroughEdits edits{view.model_span, !view.fallback_models.empty(), view.stream && !view.include_usage};
  return passthrough_body(body, edits, upstream_model);
}

const ChatCodec kChat{
    .inspect_request = inspect,
    .passthrough_body = passthrough,
    .decode_request = [](std::string_view body, std::string_view, bool) { return decode_chat_request(body); },
    .encode_request = encode_chat_request,
    .decode_response = decode_chat_response,
    .encode_response = encode_chat_response,
    .make_stream_decoder = []() -> std::unique_ptr<StreamDecoder> { return std::make_unique<ChatStreamDecoder>(); },
    .make_stream_encoder = [](std::string model, bool include_usage) -> std::unique_ptr<StreamEncoder> {
      return std::make_unique<ChatStreamEncoder>(std::move(model), include_usage);
    },
    .usage_from_response = usage_from_response,
    .make_passthrough_tap = [](bool wants_usage) -> std::unique_ptr<PassthroughTap> {
      return std::make_unique<Tap>(wants_usage);
    },
    .is_preamble_frame = is_preamble_frame,
};

const ErrorCodec kErrors{
    .decode_error = decode_error,
    .error_body = [](const GatewayError& error, std::string_view) { return openai::error_body(error); },
    .error_frame = error_frame,
    .overloaded_status = 503,
};

const EmbeddingsCodec kEmbeddings{
    .decode_request = [](std::string_view body, std::string_view model, bool) {
      return decode_embedding_request(body, model);
    },
    .encode_request = encode_embedding_request,
    .decode_response = decode_embedding_response,
    .encode_response = encode_embedding_response,
};

const ModelListCodec kModelList{.body = model_list_body, .marker_header = {}};

const DialectCodec kCodec{Dialect::openai_chat, kChat, kErrors, ClientAuth{credentials::bearer_token}, kModelList,
                          &kEmbeddings};

}  // namespace

const DialectCodec& codec() { return kCodec; }

bool is_preamble_frame(std::string_view frame) {
  http::SseEvent event = http::parse_sse_frame(frame);
  std::string_view data = event.data();
  if (data.empty()) return true;
  if (data == "[DONE]") return false;
  ChunkScan scan = scan_chunk(data, false);
  // Anything the scan cannot place (tool calls, reasoning, a finish, usage, an error, bad
  // JSON) is more than preamble: the stream has started to say something.
  return scan.valid && !scan.needs_full_decode && scan.text.empty();
}

}  // namespace switchyard::openai
