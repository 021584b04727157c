// Addresses the gateway listens on and upstream base URLs, parsed and validated once
// at configuration time so the request path never re-parses them.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace switchyard::http {

struct ListenAddress {
  std::string host;  // numeric IP or "localhost"
  std::uint16_t port = 0;  // 0: any free port
};

// "127.0.0.1:4000", "[::1]:4000", "localhost:4000", "0.0.0.0:8080". Sets `error` on failure.
std::optional<ListenAddress> parse_listen_address(std::string_view text, std::string& error);

// True for 127.0.0.0/8, ::1 and "localhost".
bool is_loopback_host(std::string_view host);

// Where an upstream lives. `base_path` has no trailing slash ("/v1"), so paths the
// dialect adds ("/chat/completions") append directly, as the official SDKs do.
struct UpstreamUrl {
  bool tls = false;
  std::string host;
  std::uint16_t port = 0;
  std::string base_path;
  std::string host_header() const;  // "host" or "host:port" when the port is not the default
  std::string origin() const;       // "https://host[:port]", for logs and errors
};

// Accepts http:// and https:// URLs with a host; rejects credentials, queries and fragments.
std::optional<UpstreamUrl> parse_upstream_url(std::string_view text, std::string& error);

}  // namespace switchyard::http
