// Anthropic Messages streams (event: + data: frames) <-> canonical stream events.
#pragma once

#include <set>
#include <string>

#include "core/json_parse.h"
#include "dialects/stream_codec.h"

namespace switchyard::anthropic {

class MessagesStreamDecoder final : public StreamDecoder {
 public:
  void decode(const http::SseEvent& event, std::vector<canonical::StreamEvent>& out) override;
  bool finish(std::vector<canonical::StreamEvent>& out) override;

 private:
  // Any event other than a text delta, from a DOM.
  void decode_full(const http::SseEvent& event, std::vector<canonical::StreamEvent>& out);

  bool done_ = false;
  Usage usage_;
  std::set<std::size_t> json_mode_blocks_;  // the JSON-mode tool's blocks, relayed as text
  std::set<std::size_t> skipped_blocks_;    // server-tool blocks no other dialect can show
  json_fields::EventParser parser_;  // one per stream: its memory is reused event after event
};

class MessagesStreamEncoder final : public StreamEncoder {
 public:
  explicit MessagesStreamEncoder(std::string model) : model_(std::move(model)) {}
  void encode(const canonical::StreamEvent& event, std::string& out) override;

 private:
  std::string model_;
};

// Checks a same-dialect relay frame for usage, so passthrough streams are metered too.
class MessagesStreamTap {
 public:
  void on_frame(std::string_view frame);
  const Usage& usage() const { return usage_; }
  bool saw_error() const { return saw_error_; }

 private:
  Usage usage_;
  bool saw_error_ = false;
};

}  // namespace switchyard::anthropic
