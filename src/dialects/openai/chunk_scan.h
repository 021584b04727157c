// Reads the common chat.completion.chunk (a text delta, or a role or an empty delta) off
// the JSON reader's events, or without a parser when it is in OpenAI's own form, for
// translating OpenAI streams: building a DOM of every chunk was half the cost of a
// translated stream. Anything rarer (an error, usage, a finish reason, reasoning, tool
// calls) is left to the full decoder, which the scan says it needs.
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

// scan_chunk's way through the chunk of nearly every event after the first: OpenAI's
// text delta, as OpenAI and the servers that copy it write it,
//   {<members>,"choices":[{"index":0,"delta":{"content":"<text>"},"logprobs":null,
//   "finish_reason":null}]<,members>}
// where every other member (id, object, created, model, system_fingerprint, usage,
// service_tier, obfuscation...) is a plain string, a plain integer, null, true or false.
// Such a chunk holds nothing but its text (an error, a usage object or a finish reason is
// none of these), so it is read without a parser: true, with the decoded text. Anything
// else is false, and left to the event reading.
bool read_text_chunk(std::string_view data, std::string& text);

}  // namespace switchyard::openai
