// Realistic payloads for the codec micro-benchmarks: request bodies of a chosen size in each
// dialect, a non-streaming response with text + a tool call + usage, and upstream SSE streams
// assembled from the recorded frames in tests/fixtures/.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "dialects/dialect.h"

namespace switchyard::bench {

// The name of the tool every payload declares and calls: the benchmarks check their output
// for it, so a codec that silently drops content cannot post a fast figure.
inline constexpr std::string_view kToolName = "search_docs";

// Model names as a client sends them (the request's own), as the gateway rewrites them for
// the upstream, and as the client is answered with.
inline constexpr std::string_view kUpstreamModel = "upstream-model-x";
inline constexpr std::string_view kClientModel = "client-model-y";

inline constexpr Dialect kDialects[] = {Dialect::openai_chat, Dialect::openai_responses, Dialect::anthropic_messages,
                                        Dialect::gemini};

// A request body in `dialect`'s wire format, compact JSON as SDKs send it, of at least
// `target_bytes` (the smallest conversation that reaches it): a system prompt, one tool with
// a JSON Schema, a user question answered with a tool call and its result, then as many
// further user/assistant turns of realistic text as the size takes, and a last user turn.
// `stream` sets the dialect's stream flag where it is in the body (OpenAI, Anthropic).
std::string make_request(Dialect dialect, std::size_t target_bytes, bool stream = false);

// A realistic non-streaming response: ~600 bytes of text, a tool call, and full usage.
std::string make_response(Dialect dialect);

// A realistic upstream stream in `dialect`'s SSE framing: the recorded fixture frames, with
// `text_deltas` text deltas of one token each, then a tool call, the stop and usage.
// Aborts if the fixtures are missing or no longer look as expected.
std::string make_stream(Dialect dialect, std::size_t text_deltas);

// Splits SSE bytes into whole frames (each with its terminating blank line).
std::vector<std::string> split_frames(std::string_view bytes);

// "1.0 KB", "10.2 KB": for labels.
std::string human_bytes(std::size_t bytes);

}  // namespace switchyard::bench
