// The upstream client: per-thread keep-alive connection pools, HTTPS with certificate and
// host name verification (system CA store, SNI), connect / first-byte / total timeouts,
// and response bodies read piece by piece so a stream is relayed, never buffered whole.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/result.h"
#include "core/units.h"
#include "http/endpoint.h"
#include "http/interrupt.h"

namespace boost::asio {
class io_context;
namespace ssl {
class context;
}
}  // namespace boost::asio

namespace switchyard::http {

using HeaderList = std::vector<std::pair<std::string, std::string>>;

// Where requests for one provider go. `tls_context` is set for https URLs; providers
// share one context (the system CA store, or a configured CA file) across threads.
struct UpstreamTarget {
  UpstreamUrl url;
  std::shared_ptr<boost::asio::ssl::context> tls_context;
  // Spelled once when the provider is built rather than per request: the Host header's
  // value, and the key of the pooled connections this target may reuse.
  std::string host;
  std::string pool_key;
};

// A target with `host` and `pool_key` filled in; the way targets are made.
UpstreamTarget make_upstream_target(UpstreamUrl url, std::shared_ptr<boost::asio::ssl::context> tls_context);

// Builds the TLS context upstream connections verify against: the system CA store,
// or only `ca_file` when given. Throws std::runtime_error with a reason on failure.
std::shared_ptr<boost::asio::ssl::context> make_client_tls_context(const std::string& ca_file = {});

struct UpstreamTimeouts {
  Millis connect{std::chrono::seconds(10)};
  Millis first_byte{std::chrono::seconds(120)};   // from sending the request to the response headers
  // From sending the request to the first token: the first body bytes, or, when the caller
  // reads a stream (UpstreamRequest::first_token_by_caller), its first content.
  Millis first_token{std::chrono::seconds(120)};
  Millis idle{std::chrono::seconds(120)};         // the longest gap between two pieces of the body
  Millis total{std::chrono::seconds(600)};        // the whole exchange, body included
};

// What to send, as views: a provider keeps its headers built once and the caller keeps the
// path and body alive until send() returns, so nothing is copied per request.
struct UpstreamRequest {
  const UpstreamTarget* target = nullptr;
  std::string_view method = "POST";
  std::string_view path;  // absolute path with query, base path included
  std::string_view header_lines;  // "Name: value\r\n" each, as http::header_lines() spells them
  std::string_view body;
  UpstreamTimeouts timeouts;
  // The caller tells the response when the first token arrived (first_token_arrived): a
  // stream's preamble does not count. Otherwise the first body bytes are the first token.
  bool first_token_by_caller = false;
  // Stops the exchange at any stage (connecting, writing, waiting for the head, reading the
  // body): its connection is closed, not reused, and the error is cancelled_exchange().
  Interrupt* interrupt = nullptr;
};

// A response as the pipeline consumes it, whoever produced it (a real upstream, or the
// built-in mock provider).
class UpstreamResponse {
 public:
  virtual ~UpstreamResponse() = default;
  virtual int status() const = 0;
  // Header value, or empty when absent. Names are case-insensitive.
  virtual std::string_view header(std::string_view name) const = 0;
  // Calls `visit(name, value)` for each header, in place: nothing is copied.
  virtual void for_each_header(const std::function<void(std::string_view, std::string_view)>& visit) const = 0;
  // The next piece of the body; an empty view marks its end. Valid until the next call.
  virtual boost::asio::awaitable<Result<std::string_view>> read_some() = 0;
  // True once the whole body has been handed out by read_some: the next call would
  // return the empty end marker without waiting.
  virtual bool finished() const { return false; }
  // The rest of the body, failing past `limit` bytes.
  boost::asio::awaitable<Result<std::string>> read_all(std::size_t limit);
  // Abandons the exchange: a read in progress fails at once, the connection is not reused.
  virtual void cancel() {}
  // Ends the first_token deadline (see UpstreamRequest::first_token_by_caller).
  virtual void first_token_arrived() {}
  // Hooks later reads to another interrupt (a hedge's winner, read on by the request).
  virtual void interrupt_with(Interrupt*) {}
};

// The error of an exchange that was cancelled (the attempt was called off, or the client
// left): ErrorKind::cancelled, which blames no deployment.
GatewayError cancelled_exchange();

// Idle keep-alive connections of one thread, keyed by upstream origin.
class UpstreamPool {
 public:
  explicit UpstreamPool(boost::asio::io_context& io);
  ~UpstreamPool();
  UpstreamPool(const UpstreamPool&) = delete;
  UpstreamPool& operator=(const UpstreamPool&) = delete;

  // Sends `request` and waits for the response headers. A reused connection that turns
  // out to be closed by the server is retried once on a fresh one. `request.interrupt`
  // stops it at any stage, and the response's later reads.
  boost::asio::awaitable<Result<std::unique_ptr<UpstreamResponse>>> send(const UpstreamRequest& request);

  std::size_t idle_connections() const;

  struct State;

 private:
  std::shared_ptr<State> state_;
};

}  // namespace switchyard::http
