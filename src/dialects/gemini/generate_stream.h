// Gemini streamGenerateContent?alt=sse streams <-> canonical stream events. Gemini sends
// text as deltas, each function call whole, usage as a running total, and no terminator.
#pragma once

#include <map>
#include <string>

#include "core/json_parse.h"
#include "dialects/stream_codec.h"

namespace switchyard::gemini {

class GenerateStreamDecoder final : public StreamDecoder {
 public:
  void decode(const http::SseEvent& event, std::vector<canonical::StreamEvent>& out) override;
  bool finish(std::vector<canonical::StreamEvent>& out) override;

 private:
  bool started_ = false;
  bool done_ = false;
  BlockSequencer blocks_;
  bool saw_call_ = false;
  std::string finish_reason_;
  Usage usage_;
  json_fields::EventParser parser_;  // one per stream: its memory is reused event after event
};

class GenerateStreamEncoder final : public StreamEncoder {
 public:
  explicit GenerateStreamEncoder(std::string model) : model_(std::move(model)) {}
  void encode(const canonical::StreamEvent& event, std::string& out) override;

 private:
  struct PendingCall {
    std::string id;
    std::string name;
    std::string arguments;
  };
  void chunk(boost::json::array parts, std::string& out, const char* finish_reason = nullptr);
  // A text part, the chunk of nearly every event: written directly, without a DOM.
  void text_chunk(std::string_view text, bool thought, std::string& out);

  std::string model_;
  std::string response_id_;
  std::map<std::size_t, PendingCall> calls_;  // tool calls buffered until complete
  canonical::StopReason stop_reason_ = canonical::StopReason::end_turn;
  Usage usage_;
};

// Reads usage from same-dialect relay frames (the last running total wins).
class GenerateStreamTap {
 public:
  void on_frame(std::string_view frame);
  const Usage& usage() const { return usage_; }
  bool saw_error() const { return saw_error_; }

 private:
  Usage usage_;
  bool saw_error_ = false;
};

}  // namespace switchyard::gemini
