// What the pipeline asks of a wire format, as small interfaces: every dialect has a chat
// codec and an error codec; embeddings, token counting and model lists are optional, and
// the client hooks say how its SDK presents credentials. Each vendor assembles its own
// DialectCodec in its folder (dialects/<vendor>/codec.cc); the pipeline never names one.
// Translation always goes through the canonical model: decode with the source dialect's
// codec, encode with the target's.
#pragma once

#include <memory>
#include <optional>
#include <utility>
#include <string>
#include <string_view>
#include <vector>

#include "core/canonical.h"
#include "core/json_splice.h"
#include "core/result.h"
#include "dialects/dialect.h"
#include "dialects/stream_codec.h"

namespace switchyard::http {
struct ClientRequest;
}

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
  // The answer's own id, for APIs whose server keeps answers (the Responses API); else empty.
  virtual std::string answer_id() const { return {}; }
};

// A PassthroughTap over a dialect's own tap that forwards every frame.
template <class Tap>
class ForwardingTap final : public PassthroughTap {
 public:
  bool on_frame(std::string_view frame) override {
    tap_.on_frame(frame);
    return true;
  }
  Usage usage() const override { return tap_.usage(); }
  bool saw_error() const override { return tap_.saw_error(); }
  std::string answer_id() const override {
    if constexpr (requires { tap_.response_id(); }) {
      return tap_.response_id();
    } else {
      return {};
    }
  }

 private:
  Tap tap_;
};

// What a request refers to of a conversation the server keeps (the Responses API's
// previous_response_id and item_reference inputs), and whether its answer is to be kept.
struct ConversationRefs {
  std::string previous_id;            // previous_response_id
  std::vector<std::string> item_ids;  // item_reference inputs
  bool store = false;                 // the client wants the answer kept (the API's default)
  bool refers() const { return !previous_id.empty() || !item_ids.empty(); }
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
  ConversationRefs conversation;  // for dialects whose server keeps conversations
  std::string user;               // the client's tag for its end user (`user`), when the inspection reads it
  // The output cap the request states (max_tokens and its kin), when the inspection reads it:
  // what limits reserve for its output.
  std::optional<std::int64_t> max_output_tokens;
};

struct ModelListEntry {
  std::string id;
  std::string owned_by;
};

// Generation (chat completions, messages, generateContent) in both directions.
struct ChatCodec {
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
  // Same-dialect relay support.
  Usage (*usage_from_response)(std::string_view body);
  std::unique_ptr<PassthroughTap> (*make_passthrough_tap)(bool client_wants_usage);
  // True for a complete SSE frame of this dialect that carries no content yet: a role-only
  // chunk, message_start, content_block_start, a ping, a comment. The first token of a
  // stream is its first frame that is not preamble (a text, tool-argument or thinking
  // delta, or whatever ends the stream): hedging, the first_token timeout and time to
  // first token all wait for it.
  bool (*is_preamble_frame)(std::string_view frame);
};

// Errors in both directions.
struct ErrorCodec {
  // An upstream's error body as a GatewayError (its `permanent` set for refusals that will
  // not pass on a retry, such as an account out of credit).
  GatewayError (*decode_error)(int status, std::string_view body);
  // `request_id` is the gateway's, for dialects whose error bodies carry one.
  std::string (*error_body)(const GatewayError& error, std::string_view request_id);
  std::string (*error_frame)(const GatewayError& error);
  // The status an overloaded upstream (503 or 529) is reported with to this dialect's clients.
  int overloaded_status;
};

// For APIs whose server keeps conversations (the Responses API): the request with its
// references resolved, and what of an answer to keep. The gateway keeps them itself for
// providers that do not (see store/response_store.h).

struct KeptAnswer {
  std::string id;            // the answer's own id
  std::string body;          // the answer as a later GET returns it
  std::string conversation;  // JSON array: the input items it answered, then its output items
};

struct ConversationCodec {
  // `previous`: the previous response's conversation (a JSON array), empty when not known
  // here; `items`: the referenced items found, as (id, item JSON). What is not resolved stays
  // in the request, for an upstream that keeps conversations itself.
  Result<std::string> (*expand)(std::string_view body, std::string_view previous,
                                const std::vector<std::pair<std::string, std::string>>& items);
  // What to keep of an answer to the (expanded) request; nullopt when it is not an answer.
  std::optional<KeptAnswer> (*keep)(std::string_view request, std::string_view answer);
  // The id of a whole answer, as the upstream keeps it; empty when it has none.
  std::string (*answer_id)(std::string_view answer);
  // The bodies of GET …/{id}/input_items and DELETE …/{id}.
  std::string (*input_items_body)(const KeptAnswer& kept);
  std::string (*deleted_body)(std::string_view id);
};

struct EmbeddingsCodec {
  // `single`: the route takes one input rather than a batch (RouteMatch::single_input).
  Result<canonical::EmbeddingRequest> (*decode_request)(std::string_view body, std::string_view path_model, bool single);
  Result<std::string> (*encode_request)(const canonical::EmbeddingRequest& request, const canonical::EncodeOptions& options);
  Result<canonical::EmbeddingResponse> (*decode_response)(std::string_view body);
  std::string (*encode_response)(const canonical::EmbeddingResponse& response, const canonical::EmbeddingRequest& request);
};

struct CountTokensCodec {
  Result<canonical::Request> (*decode_request)(std::string_view body, std::string_view path_model);
  Result<std::string> (*encode_request)(const canonical::Request& request, const canonical::EncodeOptions& options);
  Result<std::int64_t> (*decode_response)(std::string_view body);
  std::string (*encode_response)(std::int64_t input_tokens);
};

struct ModelListCodec {
  std::string (*body)(const std::vector<ModelListEntry>& models);
  // A header this dialect's SDK sends on every request: a model list asked on a path
  // another dialect shares, carrying it, is answered in this dialect's shape. Empty: none.
  std::string_view marker_header;
};

// How this dialect's SDK presents the caller's key.
struct ClientAuth {
  // The credential the request carries in this dialect's way, or empty.
  std::string_view (*credential)(const http::ClientRequest& request);
};

struct DialectCodec : ChatCodec, ErrorCodec {
  DialectCodec(Dialect id, ChatCodec chat, ErrorCodec errors, ClientAuth client_auth,
               const ModelListCodec& model_list_codec, const EmbeddingsCodec* embeddings_codec = nullptr,
               const CountTokensCodec* count_tokens_codec = nullptr,
               const ConversationCodec* conversation_codec = nullptr)
      : ChatCodec(chat), ErrorCodec(errors), dialect(id), auth(client_auth), model_list(model_list_codec),
        embeddings(embeddings_codec), count_tokens(count_tokens_codec), conversation(conversation_codec) {}

  Dialect dialect;
  ClientAuth auth;
  const ModelListCodec& model_list;
  const EmbeddingsCodec* embeddings;      // null: no embeddings API
  const CountTokensCodec* count_tokens;   // null: no counting API (the gateway estimates)
  const ConversationCodec* conversation;  // null: the API keeps no conversations
};

const DialectCodec& codec_for(Dialect dialect);

// The credential a request presents, in whichever dialect's way its SDK sends it (any
// dialect's way is accepted on any route). Empty when none is present.
std::string_view presented_credential(const http::ClientRequest& request);

// The codec whose shape a model list is answered in: the route's own, unless the path is
// one several dialects' SDKs call and the request carries another dialect's marker header.
const DialectCodec& model_list_codec(Dialect route_dialect, bool shared_path, const http::ClientRequest& request);

}  // namespace switchyard
