// Standard base64 (RFC 4648, with padding), for embeddings sent as packed float32 bytes.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace switchyard {

std::string base64_encode(std::string_view bytes);
std::optional<std::string> base64_decode(std::string_view text);

}  // namespace switchyard
