#include "dialects/credentials.h"

namespace switchyard::credentials {
namespace {

std::string_view trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

bool starts_with_ignoring_case(std::string_view text, std::string_view lower_prefix) {
  if (text.size() < lower_prefix.size()) return false;
  for (std::size_t i = 0; i < lower_prefix.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(text[i])) != lower_prefix[i]) return false;
  }
  return true;
}

}  // namespace

std::string_view header(const http::ClientRequest& request, std::string_view name) {
  return trim(request.header(name));
}

std::string_view bearer_token(const http::ClientRequest& request) {
  std::string_view authorization = header(request, "authorization");
  if (!starts_with_ignoring_case(authorization, "bearer ")) return {};
  return trim(authorization.substr(7));
}

std::string_view query_parameter(const http::ClientRequest& request, std::string_view name) {
  std::string_view target = request.target();
  std::size_t separator = target.find('?');
  while (separator != std::string_view::npos) {
    std::string_view rest = target.substr(separator + 1);
    if (rest.starts_with(name) && rest.substr(name.size()).starts_with('=')) {
      rest.remove_prefix(name.size() + 1);
      return rest.substr(0, rest.find('&'));
    }
    separator = target.find('&', separator + 1);
  }
  return {};
}

}  // namespace switchyard::credentials
