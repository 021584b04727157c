// A canonical Response (or the error in its place) as one comparable text, for the
// differential tests of the event-driven answer readers.
#pragma once

#include <string>

#include "core/canonical.h"
#include "core/result.h"

namespace switchyard::testing {

inline std::string describe(const Result<canonical::Response>& result) {
  if (!result) return "error " + result.error().code + ": " + result.error().message;
  const canonical::Response& r = result.value();
  std::string out = "id=" + r.id + " model=" + r.model + " stop=" + std::to_string(static_cast<int>(r.stop_reason)) +
                    " seq=" + r.stop_sequence + " usage=" + (r.usage.reported ? "yes" : "no") + "/" +
                    std::to_string(r.usage.input_tokens) + "/" + std::to_string(r.usage.output_tokens) + "/" +
                    std::to_string(r.usage.cache_read_tokens) + "/" + std::to_string(r.usage.cache_write_tokens) + "/" +
                    std::to_string(r.usage.reasoning_tokens);
  for (const canonical::Block& block : r.content) {
    if (auto* text = std::get_if<canonical::TextBlock>(&block)) out += " [text " + text->text + "]";
    if (auto* call = std::get_if<canonical::ToolCallBlock>(&block)) {
      out += " [tool " + call->id + " " + call->name + " " + call->arguments + "]";
    }
    if (auto* thinking = std::get_if<canonical::ThinkingBlock>(&block)) {
      out += " [thinking " + thinking->text + " " + thinking->signature + " " + thinking->redacted_data + "]";
    }
  }
  return out;
}

}  // namespace switchyard::testing
