// Reads the commonest Anthropic answer, a message whose content is text blocks only, off
// the parser's events: the DOM of a 500-byte answer cost as much as everything else a
// translated request does. Anything less plain (another block type, a member given
// twice, a type the DOM reading would coerce) is left to decode_message's DOM reading,
// so both readings give the same Response for every body (a differential test holds
// them to it).
#pragma once

#include <optional>
#include <string_view>

#include "core/canonical.h"

namespace switchyard::anthropic {

// The answer, or nullopt when it is not a plain text message (or not JSON at all).
std::optional<canonical::Response> scan_text_message(std::string_view body);

}  // namespace switchyard::anthropic
