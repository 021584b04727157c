// data: URLs as OpenAI carries inline images ("data:image/png;base64,iVBOR...").
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace switchyard {

struct DataUrl {
  std::string media_type;
  std::string base64_data;
};

// Only base64 data URLs are accepted; nullopt for anything else.
std::optional<DataUrl> parse_data_url(std::string_view url);

std::string make_data_url(std::string_view media_type, std::string_view base64_data);

}  // namespace switchyard
