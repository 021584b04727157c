// Reads the common chat.completion.chunk (a text delta, or a role or an empty delta) off
// the parser's events, for translating OpenAI streams: building a DOM of every chunk was
// half the cost of a translated stream. Anything rarer (an error, usage, a finish reason,
// reasoning, tool calls) is left to the full decoder, which the scan says it needs.
#pragma once

#include <string>
#include <string_view>

namespace switchyard::openai {

struct ChunkScan {
  bool valid = false;         // JSON, and an object
  bool needs_full_decode = false;
  std::string id;             // when asked for (the first chunk); empty unless a string
  std::string model;
  std::string text;           // choices[0].delta.content, decoded; empty unless a string
};

ChunkScan scan_chunk(std::string_view data, bool want_identity);

}  // namespace switchyard::openai
