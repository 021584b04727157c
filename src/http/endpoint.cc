#include "http/endpoint.h"

#include <boost/url/parse.hpp>
#include <boost/url/url_view.hpp>
#include <charconv>

namespace switchyard::http {
namespace {

bool parse_port(std::string_view text, std::uint16_t& port) {
  if (text.empty()) return false;
  unsigned value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc{} || end != text.data() + text.size() || value > 65535) return false;
  port = static_cast<std::uint16_t>(value);
  return true;
}

}  // namespace

std::optional<ListenAddress> parse_listen_address(std::string_view text, std::string& error) {
  ListenAddress address;
  std::string_view host;
  std::string_view port;
  if (!text.empty() && text.front() == '[') {
    auto close = text.find(']');
    if (close == std::string_view::npos || close + 1 >= text.size() || text[close + 1] != ':') {
      error = "expected [IPV6]:PORT";
      return std::nullopt;
    }
    host = text.substr(1, close - 1);
    port = text.substr(close + 2);
  } else {
    auto colon = text.rfind(':');
    if (colon == std::string_view::npos) {
      error = "expected HOST:PORT, e.g. 127.0.0.1:4000";
      return std::nullopt;
    }
    host = text.substr(0, colon);
    port = text.substr(colon + 1);
  }
  if (host.empty()) {
    error = "missing host (use 127.0.0.1 for local only, 0.0.0.0 for all interfaces)";
    return std::nullopt;
  }
  if (!parse_port(port, address.port)) {
    error = "port must be a number from 0 to 65535";
    return std::nullopt;
  }
  address.host = std::string(host);
  return address;
}

bool is_loopback_host(std::string_view host) {
  return host == "localhost" || host == "::1" || host.starts_with("127.");
}

std::string UpstreamUrl::host_header() const {
  bool default_port = (tls && port == 443) || (!tls && port == 80);
  bool ipv6 = host.find(':') != std::string::npos;
  std::string out = ipv6 ? "[" + host + "]" : host;
  if (!default_port) out += ":" + std::to_string(port);
  return out;
}

std::string UpstreamUrl::origin() const {
  return std::string(tls ? "https://" : "http://") + host_header();
}

std::optional<UpstreamUrl> parse_upstream_url(std::string_view text, std::string& error) {
  auto parsed = boost::urls::parse_absolute_uri(text);
  if (!parsed) {
    error = "not an absolute URL (expected e.g. https://api.openai.com/v1)";
    return std::nullopt;
  }
  boost::urls::url_view url = *parsed;
  UpstreamUrl out;
  if (url.scheme() == "https") {
    out.tls = true;
  } else if (url.scheme() != "http") {
    error = "scheme must be http or https";
    return std::nullopt;
  }
  if (url.has_userinfo()) {
    error = "credentials in the URL are not allowed; use api_key";
    return std::nullopt;
  }
  if (url.has_query() || url.has_fragment()) {
    error = "a base URL takes no query or fragment";
    return std::nullopt;
  }
  out.host = std::string(url.host_address());
  if (out.host.empty()) {
    error = "missing host";
    return std::nullopt;
  }
  if (url.has_port()) {
    if (!parse_port(url.port(), out.port) || out.port == 0) {
      error = "invalid port";
      return std::nullopt;
    }
  } else {
    out.port = out.tls ? 443 : 80;
  }
  out.base_path = std::string(url.encoded_path());
  while (!out.base_path.empty() && out.base_path.back() == '/') out.base_path.pop_back();
  return out;
}

}  // namespace switchyard::http
