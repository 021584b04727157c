// A rough token count for providers without a counting API: about four characters a
// token for text and tool definitions, a fixed charge per image. An estimate, documented
// as such; providers that can count are asked instead.
#pragma once

#include <cstdint>

#include "core/canonical.h"

namespace switchyard {

std::int64_t estimate_input_tokens(const canonical::Request& request);

}  // namespace switchyard
