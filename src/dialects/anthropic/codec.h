// Anthropic Messages as a DialectCodec.
#pragma once

#include <string_view>

#include "dialects/codec.h"

namespace switchyard::anthropic {

const DialectCodec& codec();

// message_start, content_block_start, ping and comments: the frames before the first delta.
bool is_preamble_frame(std::string_view frame);

}  // namespace switchyard::anthropic
