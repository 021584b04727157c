// Watches an OpenAI chat.completion.chunk stream frame by frame on its way to the client:
// it learns usage, the finish reason and in-stream errors, and decides which frames the
// client should see. Frames are forwarded byte for byte; the only one ever withheld is
// the usage chunk the gateway asked for on the client's behalf.
#pragma once

#include <string>
#include <string_view>

#include "core/usage.h"

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

}  // namespace switchyard::openai
