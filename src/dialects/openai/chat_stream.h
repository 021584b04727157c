// Watches an OpenAI chat.completion.chunk stream frame by frame on its way to the client:
// it learns usage, the finish reason and in-stream errors, and decides which frames the
// client should see. Frames are forwarded byte for byte; the only one ever withheld is
// the usage chunk the gateway asked for on the client's behalf.
#pragma once

#include <boost/json/object.hpp>
#include <optional>
#include <string>
#include <vector>
#include <string_view>

#include "core/json_parse.h"
#include "core/usage.h"
#include "dialects/stream_codec.h"

namespace switchyard::openai {

class ChatStreamTap {
 public:
  explicit ChatStreamTap(bool client_wants_usage) : client_wants_usage_(client_wants_usage) {}

  // Returns true when `frame` (one complete SSE frame) should be sent to the client.
  bool on_frame(std::string_view frame);

  const Usage& usage() const { return usage_; }
  bool saw_done() const { return saw_done_; }
  bool saw_error() const { return saw_error_; }
  const std::string& finish_reason() const { return finish_reason_; }

 private:
  bool client_wants_usage_;
  Usage usage_;
  bool saw_done_ = false;
  bool saw_error_ = false;
  std::string finish_reason_;
};

// OpenAI chunks -> canonical events (an OpenAI-dialect upstream serving another dialect).
class ChatStreamDecoder final : public StreamDecoder {
 public:
  void decode(const http::SseEvent& event, std::vector<canonical::StreamEvent>& out) override;
  bool finish(std::vector<canonical::StreamEvent>& out) override;

 private:
  void emit_tail(std::vector<canonical::StreamEvent>& out);
  // A chunk with an error, usage, a finish reason, reasoning or tool calls, from a DOM.
  void decode_full(std::string_view data, std::vector<canonical::StreamEvent>& out);

  bool started_ = false;
  bool done_ = false;
  BlockSequencer blocks_;
  std::vector<std::size_t> tool_blocks_;  // OpenAI tool index -> canonical block index
  std::optional<canonical::StopReason> stop_reason_;
  Usage usage_;
  json_fields::EventParser parser_;  // one per stream: its memory is reused event after event
};

// Canonical events -> OpenAI chunks (an OpenAI client served by another dialect).
class ChatStreamEncoder final : public StreamEncoder {
 public:
  ChatStreamEncoder(std::string model, bool include_usage);
  void encode(const canonical::StreamEvent& event, std::string& out) override;

 private:
  // `delta_json` is the encoded delta object. Chunks are written around a prefix built
  // once per stream: a DOM per token cost more than decoding the upstream's event.
  void chunk(std::string_view delta_json, const char* finish_reason, std::string& out) const;

  std::string id_;
  std::string model_;
  std::int64_t created_;
  bool include_usage_;
  std::string prefix_;  // `data: {"id":..,"object":..,"created":..,"model":..,"choices":[{"index":0,"delta":`
  std::vector<std::optional<std::size_t>> tool_index_;  // canonical block index -> OpenAI tool index
  std::size_t tools_ = 0;
  Usage usage_;
};

}  // namespace switchyard::openai
