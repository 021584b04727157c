// The canonical model every dialect decodes into and encodes from. It names no vendor.
//
// Its granularity is Anthropic's, the finest of the three wire formats: a system prompt,
// user and assistant turns made of typed content blocks (tool results are blocks in a
// user turn), and a stream of block-level events. OpenAI's `tool` messages and Gemini's
// functionResponse parts map into it without loss. What a dialect carries that the model
// cannot express travels in `extensions`, so an encoder can refuse it by name rather than
// drop it silently.
#pragma once

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "core/error.h"
#include "core/usage.h"

namespace switchyard::canonical {

struct TextBlock {
  std::string text;
};

// An image given inline (base64 `data` with its `media_type`) or by `url`.
struct ImageBlock {
  std::string media_type;
  std::string data;
  std::string url;
};

struct ToolCallBlock {
  std::string id;
  std::string name;
  std::string arguments;  // JSON text of the arguments object, as OpenAI carries it
};

struct ToolResultBlock {
  std::string tool_call_id;
  std::string name;  // the called function's name, when known (Gemini requires it)
  std::vector<std::variant<TextBlock, ImageBlock>> content;
  bool is_error = false;
};

struct ThinkingBlock {
  std::string text;
  std::string signature;      // must be replayed unchanged to the same vendor
  std::string redacted_data;  // set for redacted thinking; `text` is then empty
};

// A file the model reads (a PDF, a text file), inline (base64 `data` with its `media_type`)
// or by `url`.
struct DocumentBlock {
  std::string media_type;
  std::string data;
  std::string url;
  std::string filename;
};

using Block = std::variant<TextBlock, ImageBlock, ToolCallBlock, ToolResultBlock, ThinkingBlock, DocumentBlock>;

enum class Role { system, user, assistant };

struct Message {
  Role role = Role::user;
  std::vector<Block> content;
};

struct Tool {
  std::string name;
  std::string description;
  boost::json::value parameters;  // JSON Schema of the arguments object; null when absent
};

struct ToolChoice {
  enum class Mode { unset, automatic, none, required, specific };
  Mode mode = Mode::unset;
  std::string name;  // for Mode::specific
  std::optional<bool> parallel;  // false: at most one call per turn
};

struct ResponseFormat {
  enum class Kind { text, json_object, json_schema };
  Kind kind = Kind::text;
  std::string name;
  std::string description;
  boost::json::value schema;
  std::optional<bool> strict;
};

struct Sampling {
  std::optional<double> temperature;
  std::optional<double> top_p;
  std::optional<std::int64_t> top_k;
  std::optional<std::int64_t> max_tokens;
  std::optional<std::int64_t> seed;
  std::optional<std::int64_t> candidate_count;  // OpenAI `n`, Gemini `candidateCount`
  std::optional<double> presence_penalty;
  std::optional<double> frequency_penalty;
  std::vector<std::string> stop;
};

struct Thinking {
  bool enabled = false;
  // The client wants the reasoning itself back (Anthropic thinking blocks, Responses reasoning
  // summaries, Gemini thought parts), not only its effect on the answer.
  bool show = false;
  std::optional<std::int64_t> budget_tokens;
  std::string effort;  // "low" | "medium" | "high", when given as an effort level
};

struct Request {
  std::string model;
  std::vector<Message> messages;  // system messages keep their position here
  std::vector<Tool> tools;
  ToolChoice tool_choice;
  ResponseFormat response_format;
  Sampling sampling;
  Thinking thinking;
  std::string user;  // end-user id for the provider's abuse monitoring
  bool stream = false;
  bool include_usage = false;  // the client wants usage in the stream
  // Fields of the client's dialect the model has no place for, by their wire name.
  boost::json::object extensions;
};

enum class StopReason { end_turn, max_tokens, stop_sequence, tool_use, content_filter, pause, other };

struct Response {
  std::string id;
  std::string model;
  std::vector<Block> content;
  StopReason stop_reason = StopReason::end_turn;
  std::string stop_sequence;  // the matched sequence, for StopReason::stop_sequence
  Usage usage;
};

// A stream is a sequence of these, in Anthropic's order: MessageStart, then per block
// BlockStart, BlockDelta..., BlockStop, then MessageDelta and MessageStop. An Error may
// end the stream at any point.
enum class BlockKind { text, tool_call, thinking };

struct MessageStart {
  std::string id;
  std::string model;
  Usage usage;  // input side, when the upstream tells it up front
};

struct BlockStart {
  std::size_t index = 0;
  BlockKind kind = BlockKind::text;
  std::string tool_call_id;  // for tool calls
  std::string tool_name;
};

struct BlockDelta {
  std::size_t index = 0;
  enum class Kind { text, arguments, thinking, signature } kind = Kind::text;
  std::string text;
};

struct BlockStop {
  std::size_t index = 0;
};

struct MessageDelta {
  StopReason stop_reason = StopReason::end_turn;
  std::string stop_sequence;
  Usage usage;  // cumulative: the totals so far
};

struct MessageStop {};

struct StreamError {
  GatewayError error;
};

using StreamEvent = std::variant<MessageStart, BlockStart, BlockDelta, BlockStop, MessageDelta, MessageStop, StreamError>;

}  // namespace switchyard::canonical

namespace switchyard::canonical {

// What an encoder does with a request feature its wire format cannot express:
// refuse the request with a 400 naming it (the default), or drop it and say so in the log.
enum class UnsupportedParams { reject, drop };

struct EncodeOptions {
  std::string upstream_model;
  std::string provider;  // for messages: "provider 'x' (anthropic) does not support ..."
  UnsupportedParams unsupported = UnsupportedParams::reject;
  std::int64_t default_max_tokens = 4096;  // for targets that require max_tokens
};

// Tracks features an encoder could not carry. With `reject` the first one becomes the
// error; with `drop` they are collected for the log.
class Unsupported {
 public:
  explicit Unsupported(const EncodeOptions& options) : options_(options) {}
  // Returns false when the request must be refused.
  bool note(std::string_view param, std::string_view target_dialect);
  const std::optional<GatewayError>& error() const { return error_; }
  const std::vector<std::string>& dropped() const { return dropped_; }

 private:
  const EncodeOptions& options_;
  std::optional<GatewayError> error_;
  std::vector<std::string> dropped_;
};

// A value a dialect documents as the default of a member the canonical model has no place
// for: sent with exactly this value, the member asks for nothing.
struct DocumentedDefault {
  std::string_view key;
  std::variant<bool, std::int64_t, std::string_view> value;
};

// Keeps a member of the client's request the canonical model has no place for in
// `extensions`, unless it asks for nothing: null, an empty list or object (clients send
// `"safetySettings": []` on every call) or its dialect's documented default. Only what
// could change the answer may then be refused by an encoder.
void keep_extension(boost::json::object& extensions, std::string_view key, const boost::json::value& value,
                    std::span<const DocumentedDefault> defaults = {});

}  // namespace switchyard::canonical

namespace switchyard::canonical {

struct EmbeddingRequest {
  std::string model;
  std::vector<std::string> inputs;
  std::optional<std::int64_t> dimensions;
  bool single = false;  // Gemini :embedContent (one input, one `embedding` in the answer)
  bool base64 = false;  // OpenAI encoding_format: base64 (the SDK's default)
};

struct EmbeddingResponse {
  std::vector<std::vector<float>> vectors;
  Usage usage;
};

}  // namespace switchyard::canonical
