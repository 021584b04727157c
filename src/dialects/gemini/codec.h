// Gemini generateContent as a DialectCodec.
#pragma once

#include <string_view>

#include "dialects/codec.h"

namespace switchyard::gemini {

const DialectCodec& codec();

// Gemini has no preamble events: a frame is preamble only when it says nothing (a comment,
// a chunk without a part, a finish or an error).
bool is_preamble_frame(std::string_view frame);

}  // namespace switchyard::gemini
