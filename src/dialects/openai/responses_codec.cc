// The OpenAI Responses API as a DialectCodec: a client dialect (POST /v1/responses) and,
// for deployments with `api: responses`, an upstream one. Errors share Chat Completions'
// envelope; in a stream an error is a typed `error` event.
#include "dialects/credentials.h"
#include "dialects/openai/codec.h"
#include "dialects/openai/error.h"
#include "dialects/openai/models.h"
#include "dialects/openai/responses_conversation.h"
#include "dialects/openai/responses_request.h"
#include "dialects/openai/responses_response.h"
#include "dialects/openai/responses_stream.h"

namespace switchyard::openai {
namespace {


// A relayed stream broken after it started. Its sequence number cannot know the upstream's
// count; clients order events by arrival.
std::string responses_error_frame(const GatewayError& error) { return responses_error_event(error, 0); }

const ChatCodec kChat{
    .inspect_request = [](std::string_view body, std::string_view, bool) { return inspect_responses_request(body); },
    .passthrough_body = responses_passthrough_body,
    .decode_request = [](std::string_view body, std::string_view, bool) { return decode_responses_request(body); },
    .encode_request = encode_responses_request,
    .decode_response = decode_responses_response,
    .encode_response = encode_responses_response,
    .make_stream_decoder = []() -> std::unique_ptr<StreamDecoder> { return std::make_unique<ResponsesStreamDecoder>(); },
    .make_stream_encoder = [](std::string model, bool) -> std::unique_ptr<StreamEncoder> {
      return std::make_unique<ResponsesStreamEncoder>(std::move(model));
    },
    .usage_from_response = usage_from_responses_body,
    .make_passthrough_tap = [](bool) -> std::unique_ptr<PassthroughTap> { return std::make_unique<ForwardingTap<ResponsesStreamTap>>(); },
    .is_preamble_frame = is_responses_preamble_frame,
};

const ErrorCodec kErrors{
    .decode_error = decode_error,
    .error_body = [](const GatewayError& error, std::string_view) { return openai::error_body(error); },
    .error_frame = responses_error_frame,
    .overloaded_status = 503,
};

const ModelListCodec kModelList{.body = model_list_body, .marker_header = {}};

const DialectCodec kCodec{Dialect::openai_responses, kChat,      kErrors, ClientAuth{credentials::bearer_token},
                          kModelList,                nullptr,    nullptr, &kResponsesConversation};

}  // namespace

const DialectCodec& responses_codec() { return kCodec; }

}  // namespace switchyard::openai
