// The HTTP/1.1 front door: one io_context and one SO_REUSEPORT listener per thread,
// keep-alive sessions as coroutines, limits and timeouts on everything a client controls,
// and a graceful drain on shutdown. It knows nothing about AI: each parsed request goes
// to a RequestHandler together with a ResponseChannel to answer on.
#pragma once

#include <atomic>
#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/units.h"
#include "http/endpoint.h"
#include "http/interrupt.h"
#include "http/message_head.h"
#include "http/response.h"

namespace switchyard::http {

class UpstreamPool;

struct ServerOptions {
  ListenAddress listen{"127.0.0.1", 4000};
  unsigned threads = 0;  // 0: one per core
  std::uint64_t max_body_size = 32ull * 1024 * 1024;
  std::uint32_t max_header_size = 64 * 1024;
  Millis header_timeout{std::chrono::seconds(10)};  // to receive a request's headers and body
  Millis idle_timeout{std::chrono::seconds(60)};    // keep-alive wait, and for a stalled client write
  Millis shutdown_timeout{std::chrono::seconds(30)};
};

// A request as a handler sees it: the parsed head and the whole body (de-chunked). Both
// stay valid while the handler runs; the session reads nothing more until it returns.
struct ClientRequest {
  const RequestHead& head;
  std::string_view body;

  std::string_view method() const { return head.method; }
  std::string_view target() const { return head.target; }
  // The first value of header `name` (case-insensitive), or empty.
  std::string_view header(std::string_view name) const { return head.fields.get(name); }
};

// How a handler answers: either one complete response, or a chunked stream. The channel
// adds x-request-id and the connection headers. Each call returns false once the client
// is gone, so the handler can stop work nobody will read.
class ResponseChannel {
 public:
  virtual ~ResponseChannel() = default;
  virtual boost::asio::awaitable<bool> send(ClientResponse response) = 0;
  // The head of a stream goes out with its first chunk (or its end): one write, not two.
  virtual boost::asio::awaitable<bool> begin_stream(ResponseHeader header) = 0;
  virtual boost::asio::awaitable<bool> write_chunk(std::string_view bytes) = 0;
  // Ends the stream, sending `last` (if any) in the same write.
  virtual boost::asio::awaitable<bool> end_stream(std::string_view last = {}) = 0;
  // True once any byte of the response has been handed to the socket.
  virtual bool committed() const = 0;
  // Sets a header of the response about to be sent, replacing an earlier value (ignored
  // once committed).
  virtual void set_header(std::string_view name, std::string_view value) = 0;
  // True once the server noticed that the client closed its connection while the handler
  // ran. The server then also interrupts the request (Exchange::interrupt), so that what
  // its handler waits for (an upstream's connect, headers or body, a backoff) stops at once.
  virtual bool client_gone() const { return false; }
};

struct Exchange {
  const ClientRequest& request;
  const std::string& request_id;
  ResponseChannel& response;
  UpstreamPool& upstreams;  // this thread's upstream connections
  std::chrono::steady_clock::time_point received_at;
  // Interrupted when the client leaves: the handler hooks its waits to it.
  Interrupt& interrupt;
};

struct Rejection {
  std::string_view method;  // empty when not even the request line parsed
  std::string_view target;
  const std::string& request_id;
  int status;
  std::string_view message;
  std::chrono::steady_clock::time_point received_at;
};

class RequestHandler {
 public:
  virtual ~RequestHandler() = default;
  virtual boost::asio::awaitable<void> handle(Exchange& exchange) = 0;
  // The response for a request the server refuses before the handler sees it (body over
  // the limit, malformed HTTP). The handler answers in the dialect of the path and
  // accounts for the request like any other.
  virtual ClientResponse reject(const Rejection& rejection) = 0;
  // Called when the server starts draining, so readiness can report it.
  virtual void on_drain() {}
};

class Server {
 public:
  Server(ServerOptions options, RequestHandler& handler);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds one listener per thread; returns a message on failure.
  std::optional<std::string> bind();
  std::uint16_t bound_port() const { return bound_port_; }

  // Serves until SIGINT/SIGTERM (or shutdown()), drains, and returns.
  void run();
  void shutdown();
  bool draining() const { return draining_.load(std::memory_order_acquire); }

  struct Worker;

 private:
  void drain_and_stop();

  ServerOptions options_;
  RequestHandler& handler_;
  std::vector<std::unique_ptr<Worker>> workers_;
  std::atomic<bool> draining_{false};
  std::atomic<int> open_sessions_{0};
  std::uint16_t bound_port_ = 0;
  std::unique_ptr<struct ShutdownSignal> shutdown_signal_;
  friend struct SessionRunner;
};

}  // namespace switchyard::http
