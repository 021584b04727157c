#include "core/data_url.h"

namespace switchyard {

std::optional<DataUrl> parse_data_url(std::string_view url) {
  constexpr std::string_view kScheme = "data:";
  if (!url.starts_with(kScheme)) return std::nullopt;
  url.remove_prefix(kScheme.size());
  std::size_t comma = url.find(',');
  if (comma == std::string_view::npos) return std::nullopt;
  std::string_view meta = url.substr(0, comma);
  constexpr std::string_view kBase64 = ";base64";
  if (!meta.ends_with(kBase64)) return std::nullopt;
  meta.remove_suffix(kBase64.size());
  if (meta.empty() || meta.find('/') == std::string_view::npos) return std::nullopt;
  return DataUrl{std::string(meta), std::string(url.substr(comma + 1))};
}

std::string make_data_url(std::string_view media_type, std::string_view base64_data) {
  std::string url = "data:";
  url.append(media_type);
  url.append(";base64,");
  url.append(base64_data);
  return url;
}

}  // namespace switchyard
