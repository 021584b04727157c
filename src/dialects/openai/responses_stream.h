// The Responses API's typed event stream (`event: response.output_text.delta` …, each with a
// sequence_number, no [DONE]) in both directions, and the tap that meters a relayed one.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/json_parse.h"
#include "core/usage.h"
#include "dialects/openai/responses_response.h"
#include "dialects/stream_codec.h"

namespace switchyard::openai {

// Canonical events -> Responses events (a Responses client served through another API).
// Items are kept as they grow: the final response.completed carries them all, as the real
// API's does, and the SDK's stream helper builds its final response from it.
class ResponsesStreamEncoder final : public StreamEncoder {
 public:
  explicit ResponsesStreamEncoder(std::string model);
  void encode(const canonical::StreamEvent& event, std::string& out) override;
  std::string final_answer() const override { return final_answer_; }

 private:
  // `event: TYPE\ndata: {"type":TYPE,"sequence_number":N,` + the rest written by `body`.
  template <class Body>
  void frame(std::string_view type, std::string& out, Body body);
  void response_frame(std::string_view type, std::string_view status, std::string& out);
  void open_block(const canonical::BlockStart& start, std::string& out);
  void close_block(std::size_t index, std::string& out);

  std::string model_;
  ResponseIds ids_;
  std::int64_t sequence_ = 0;
  std::vector<canonical::Block> output_;             // by canonical block index
  std::vector<std::size_t> output_index_;            // canonical block index -> output_index
  std::size_t items_ = 0;
  canonical::StopReason stop_reason_ = canonical::StopReason::end_turn;
  Usage usage_;
  bool failed_ = false;
  std::string final_answer_;  // the response object of response.completed / incomplete
  std::string in_progress_;   // the response object of response.created and response.in_progress
  std::size_t text_delta_block_ = 0;
  std::string text_delta_members_;  // "item_id":…,"output_index":…,"content_index":0 of that block
};

// Responses events -> canonical events (a Responses upstream serving another dialect).
class ResponsesStreamDecoder final : public StreamDecoder {
 public:
  void decode(const http::SseEvent& event, std::vector<canonical::StreamEvent>& out) override;
  bool finish(std::vector<canonical::StreamEvent>& out) override;

 private:
  std::optional<std::size_t> block_of(std::int64_t output_index) const;
  std::size_t open(std::int64_t output_index, canonical::BlockStart start, std::vector<canonical::StreamEvent>& out);

  bool started_ = false;
  bool done_ = false;
  std::optional<std::size_t> open_block_;
  std::size_t blocks_ = 0;
  std::vector<std::pair<std::int64_t, std::size_t>> block_by_output_;  // output_index -> block
  bool called_ = false;
  json_fields::EventParser parser_;
};

// Watches a relayed Responses stream: usage from its final response, and whether it failed.
class ResponsesStreamTap {
 public:
  void on_frame(std::string_view frame);
  const Usage& usage() const { return usage_; }
  bool saw_error() const { return saw_error_; }
  const std::string& response_id() const { return response_id_; }

 private:
  Usage usage_;
  bool saw_error_ = false;
  std::string response_id_;  // from response.created
};

// The `error` event that ends a failed stream, as the real API sends it: type, code, message,
// param. (The openai SDK yields it as an event rather than throwing: a client checks its type.)
std::string responses_error_event(const GatewayError& error, std::int64_t sequence_number);

// True for the events that say nothing yet: created, in_progress, an item or part added.
bool is_responses_preamble_frame(std::string_view frame);

}  // namespace switchyard::openai
