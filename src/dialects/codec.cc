#include "dialects/codec.h"

#include "dialects/anthropic/count_tokens.h"
#include "dialects/anthropic/error.h"
#include "dialects/anthropic/messages_request.h"
#include "dialects/anthropic/messages_response.h"
#include "dialects/anthropic/messages_stream.h"
#include "dialects/gemini/count_tokens.h"
#include "dialects/gemini/embeddings.h"
#include "dialects/gemini/error.h"
#include "dialects/gemini/generate_request.h"
#include "dialects/gemini/generate_response.h"
#include "dialects/gemini/generate_stream.h"
#include "dialects/openai/chat_request.h"
#include "dialects/openai/embeddings.h"
#include "dialects/openai/chat_response.h"
#include "dialects/openai/chat_stream.h"
#include "dialects/openai/error.h"
#include "dialects/anthropic/models.h"
#include "dialects/gemini/models.h"
#include "dialects/openai/models.h"
#include "dialects/openai/usage.h"

namespace switchyard {
namespace {

class OpenAITap final : public PassthroughTap {
 public:
  explicit OpenAITap(bool client_wants_usage) : tap_(client_wants_usage) {}
  bool on_frame(std::string_view frame) override { return tap_.on_frame(frame); }
  Usage usage() const override { return tap_.usage(); }
  bool saw_error() const override { return tap_.saw_error(); }

 private:
  openai::ChatStreamTap tap_;
};

template <class Tap>
class ForwardAllTap final : public PassthroughTap {
 public:
  bool on_frame(std::string_view frame) override {
    tap_.on_frame(frame);
    return true;
  }
  Usage usage() const override { return tap_.usage(); }
  bool saw_error() const override { return tap_.saw_error(); }

 private:
  Tap tap_;
};

Usage usage_or_nothing(Result<canonical::Response> response) { return response ? response->usage : Usage{}; }

Result<RequestView> inspect_openai(std::string_view body, std::string_view, bool) {
  auto view = openai::inspect_chat_request(body);
  if (!view) return view.take_error();
  return RequestView{std::move(view->model), view->stream, view->include_usage, std::move(view->fallback_models),
                     view->model_span};
}

std::string passthrough_openai(std::string_view body, const RequestView& view, std::string_view upstream_model) {
  openai::PassthroughEdits edits{view.model_span, !view.fallback_models.empty(), view.stream && !view.include_usage};
  return openai::passthrough_body(body, edits, upstream_model);
}

Result<RequestView> inspect_anthropic(std::string_view body, std::string_view, bool) {
  auto view = anthropic::inspect_messages_request(body);
  if (!view) return view.take_error();
  return RequestView{view->model, view->stream, true, {}, {}};
}

Result<RequestView> inspect_gemini(std::string_view body, std::string_view path_model, bool path_stream) {
  auto checked = gemini::inspect_generate_request(body);
  if (!checked) return checked.take_error();
  return RequestView{std::string(path_model), path_stream, true, {}, {}};
}

std::string passthrough_gemini(std::string_view body, const RequestView&, std::string_view) {
  return std::string(body);  // the model travels in the URL
}

const DialectCodec kOpenAI{
    Dialect::openai_chat,
    inspect_openai,
    passthrough_openai,
    [](std::string_view body, std::string_view, bool) { return openai::decode_chat_request(body); },
    openai::encode_chat_request,
    openai::decode_chat_response,
    openai::encode_chat_response,
    []() -> std::unique_ptr<StreamDecoder> { return std::make_unique<openai::ChatStreamDecoder>(); },
    [](std::string model, bool include_usage) -> std::unique_ptr<StreamEncoder> {
      return std::make_unique<openai::ChatStreamEncoder>(std::move(model), include_usage);
    },
    openai::decode_error,
    [](const GatewayError& error, std::string_view) { return openai::error_body(error); },
    503,
    openai::error_frame,
    openai::usage_from_response,
    [](bool wants_usage) -> std::unique_ptr<PassthroughTap> { return std::make_unique<OpenAITap>(wants_usage); },
    openai::model_list_body,
    [](std::string_view body, std::string_view model, bool) { return openai::decode_embedding_request(body, model); },
    openai::encode_embedding_request,
    openai::decode_embedding_response,
    openai::encode_embedding_response,
    nullptr,
    nullptr,
    nullptr,
    nullptr,
};

const DialectCodec kAnthropic{
    Dialect::anthropic_messages,
    inspect_anthropic,
    [](std::string_view body, const RequestView&, std::string_view model) { return anthropic::passthrough_body(body, model); },
    [](std::string_view body, std::string_view, bool) { return anthropic::decode_messages_request(body); },
    anthropic::encode_messages_request,
    anthropic::decode_message,
    anthropic::encode_message,
    []() -> std::unique_ptr<StreamDecoder> { return std::make_unique<anthropic::MessagesStreamDecoder>(); },
    [](std::string model, bool) -> std::unique_ptr<StreamEncoder> {
      return std::make_unique<anthropic::MessagesStreamEncoder>(std::move(model));
    },
    anthropic::decode_error,
    anthropic::error_body,
    529,  // Anthropic's own "overloaded" status, which its SDK retries
    anthropic::error_frame,
    [](std::string_view body) { return usage_or_nothing(anthropic::decode_message(body)); },
    [](bool) -> std::unique_ptr<PassthroughTap> {
      return std::make_unique<ForwardAllTap<anthropic::MessagesStreamTap>>();
    },
    anthropic::model_list_body,
    nullptr,
    nullptr,
    nullptr,
    nullptr,
    anthropic::decode_count_request,
    anthropic::encode_count_request,
    anthropic::decode_count_response,
    anthropic::encode_count_response,
};

const DialectCodec kGemini{
    Dialect::gemini,
    inspect_gemini,
    passthrough_gemini,
    gemini::decode_generate_request,
    gemini::encode_generate_request,
    gemini::decode_generate_response,
    gemini::encode_generate_response,
    []() -> std::unique_ptr<StreamDecoder> { return std::make_unique<gemini::GenerateStreamDecoder>(); },
    [](std::string model, bool) -> std::unique_ptr<StreamEncoder> {
      return std::make_unique<gemini::GenerateStreamEncoder>(std::move(model));
    },
    gemini::decode_error,
    [](const GatewayError& error, std::string_view) { return gemini::error_body(error); },
    503,
    gemini::error_frame,
    [](std::string_view body) { return usage_or_nothing(gemini::decode_generate_response(body)); },
    [](bool) -> std::unique_ptr<PassthroughTap> {
      return std::make_unique<ForwardAllTap<gemini::GenerateStreamTap>>();
    },
    gemini::model_list_body,
    gemini::decode_embedding_request,
    gemini::encode_embedding_request,
    gemini::decode_embedding_response,
    gemini::encode_embedding_response,
    gemini::decode_count_request,
    gemini::encode_count_request,
    gemini::decode_count_response,
    gemini::encode_count_response,
};

}  // namespace

const DialectCodec& codec_for(Dialect dialect) {
  switch (dialect) {
    case Dialect::openai_chat: return kOpenAI;
    case Dialect::anthropic_messages: return kAnthropic;
    case Dialect::gemini: return kGemini;
  }
  return kOpenAI;
}

}  // namespace switchyard
