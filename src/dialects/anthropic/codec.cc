#include "dialects/anthropic/codec.h"

#include "dialects/anthropic/count_tokens.h"
#include "dialects/anthropic/error.h"
#include "dialects/anthropic/event_scan.h"
#include "dialects/anthropic/messages_request.h"
#include "dialects/anthropic/messages_response.h"
#include "dialects/anthropic/messages_stream.h"
#include "dialects/anthropic/models.h"
#include "dialects/credentials.h"
#include "http/sse.h"

namespace switchyard::anthropic {
namespace {

Result<RequestView> inspect(std::string_view body, std::string_view, bool) {
  auto view = inspect_messages_request(body);
  if (!view) return view.take_error();
  return RequestView{view->model, view->stream, true, {}, {}, {}, {}, view->max_tokens};
}

Usage usage_from_response(std::string_view body) {
  auto response = decode_message(body);
  return response ? response->usage : Usage{};
}

std::string_view credential(const http::ClientRequest& request) { return credentials::header(request, "x-api-key"); }

const ChatCodec kChat{
    .inspect_request = inspect,
    .passthrough_body = [](std::string_view body, const RequestView&, std::string_view model) {
      return passthrough_body(body, model);
    },
    .decode_request = [](std::string_view body, std::string_view, bool) { return decode_messages_request(body); },
    .encode_request = encode_messages_request,
    .decode_response = decode_message,
    .encode_response = encode_message,
    .make_stream_decoder = []() -> std::unique_ptr<StreamDecoder> { return std::make_unique<MessagesStreamDecoder>(); },
    .make_stream_encoder = [](std::string model, bool) -> std::unique_ptr<StreamEncoder> {
      return std::make_unique<MessagesStreamEncoder>(std::move(model));
    },
    .usage_from_response = usage_from_response,
    .make_passthrough_tap = [](bool) -> std::unique_ptr<PassthroughTap> {
      return std::make_unique<ForwardingTap<MessagesStreamTap>>();
    },
    .is_preamble_frame = is_preamble_frame,
};

const ErrorCodec kErrors{
    .decode_error = decode_error,
    .error_body = [](const GatewayError& error, std::string_view request_id) { return error_body(error, request_id); },
    .error_frame = error_frame,
    .overloaded_status = 529,  // Anthropic's own "overloaded" status, which its SDK retries
};

const CountTokensCodec kCountTokens{
    .decode_request = decode_count_request,
    .encode_request = encode_count_request,
    .decode_response = decode_count_response,
    .encode_response = encode_count_response,
};

// The SDK sends anthropic-version on every request, GET /v1/models (a path OpenAI's SDK
// calls too) included.
const ModelListCodec kModelList{.body = model_list_body, .marker_header = "anthropic-version"};

const DialectCodec kCodec{Dialect::anthropic_messages, kChat, kErrors, ClientAuth{credential}, kModelList, nullptr,
                          &kCountTokens};

}  // namespace

const DialectCodec& codec() { return kCodec; }

bool is_preamble_frame(std::string_view frame) {
  http::SseEvent event = http::parse_sse_frame(frame);
  std::string_view type = event.event;
  std::string scanned;
  if (type.empty()) {
    if (event.data().empty()) return true;  // a comment
    scanned = scan_event(event.data()).type;
    type = scanned;
  }
  return type == "message_start" || type == "content_block_start" || type == "ping";
}

}  // namespace switchyard::anthropic
