#include "http/server.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/error.hpp>
#include <array>
#include <list>
#include <span>
#include <thread>

#include <sys/resource.h>

#include "core/log.h"
#include "core/request_id.h"
#include "http/chunked.h"
#include "http/client_watch.h"
#include "http/read_buffer.h"
#include "http/socket_deadline.h"
#include "http/socket_write.h"
#include "http/upstream.h"
#include "http/wire.h"

namespace switchyard::http {

namespace net = boost::asio;
namespace beast = boost::beast;
using tcp = net::ip::tcp;
constexpr auto use_tuple = net::as_tuple(net::use_awaitable);

// Lets the main thread's signal handling and shutdown() reach the run loop.
struct ShutdownSignal {
  net::io_context io{1};
  net::signal_set signals{io, SIGINT, SIGTERM};
};

struct Server::Worker {
  // One thread per context, and every socket is used only from its context's thread (other
  // threads post to it), so the reactor needs no lock per operation.
  net::io_context io{BOOST_ASIO_CONCURRENCY_HINT_UNSAFE_IO};
  std::optional<tcp::acceptor> acceptor;
  UpstreamPool upstreams{io};
  // Sessions waiting for their next request; closed at once when draining.
  std::list<tcp::socket*> idle_sessions;
  std::thread thread;
};

namespace {

void log_exception(std::exception_ptr error, std::string_view where) {
  if (!error) return;
  try {
    std::rethrow_exception(error);
  } catch (const std::exception& e) {
    log::error("unexpected exception", {{"where", where}, {"error", e.what()}});
  }
}

// What a session's responses are written with, kept from one request to the next so a
// keep-alive connection reuses the memory.
struct ChannelBuffers {
  std::string head;             // the status line and fields, written together with the body
  ResponseHeader server_fields;  // the channel's own fields: request id, routing headers
};

// Answers one request on a session's stream.
class StreamChannel final : public ResponseChannel {
 public:
  StreamChannel(tcp::socket& stream, SocketDeadline& deadline, ChannelBuffers& buffers, std::string_view request_id,
                bool keep_alive, Millis write_timeout, const ClientWatch& watch)
      : stream_(stream), deadline_(deadline), head_(buffers.head), server_fields_(buffers.server_fields),
        keep_alive_(keep_alive), write_timeout_(write_timeout), watch_(watch) {
    head_.clear();
    server_fields_.clear_fields();
    server_fields_.set("x-request-id", request_id);
  }

  net::awaitable<bool> send(ClientResponse response) override {
    if (committed_) co_return false;
    committed_ = true;
    append_head(response, ResponseFraming{response.body.size(), keep_alive_});
    const std::array<net::const_buffer, 2> wire{net::buffer(head_), net::buffer(response.body)};
    co_return co_await write(wire);
  }

  net::awaitable<bool> begin_stream(ResponseHeader header) override {
    if (committed_) co_return false;
    committed_ = true;
    streaming_ = true;
    append_head(header, ResponseFraming{std::nullopt, keep_alive_});
    co_return ok_;
  }

  net::awaitable<bool> write_chunk(std::string_view bytes) override {
    if (!ok_ || !streaming_ || bytes.empty()) co_return ok_;
    co_return co_await write_stream_piece(bytes, false);
  }

  net::awaitable<bool> end_stream(std::string_view last) override {
    if (!ok_ || !streaming_ || finished_) co_return ok_;
    finished_ = true;
    co_return co_await write_stream_piece(last, true);
  }

  bool committed() const override { return committed_; }

  bool client_gone() const override { return watch_.gone(); }

  void set_header(std::string_view name, std::string_view value) override {
    if (!committed_) server_fields_.set(name, value);  // set again by a later attempt: the last value wins
  }

  // The head of the response with the channel's own fields after the handler's (names no
  // handler's response carries).
  void append_head(const ResponseHeader& header, ResponseFraming framing) {
    head_.reserve(512);
    append_response_head(head_, header, server_fields_.lines(), framing);
  }

  // One write: the head if it has not gone out yet, `bytes` as a chunk (if any), and the
  // terminating chunk when `last`.
  net::awaitable<bool> write_stream_piece(std::string_view bytes, bool last) {
    std::array<net::const_buffer, 5> wire;
    std::size_t count = 0;
    if (!head_.empty()) wire[count++] = net::buffer(head_);
    char size_line[20];
    if (!bytes.empty()) {
      wire[count++] = net::buffer(chunk_size_line(bytes.size(), size_line));
      wire[count++] = net::buffer(bytes.data(), bytes.size());
      wire[count++] = net::buffer("\r\n", 2);
    }
    if (last) wire[count++] = net::buffer("0\r\n\r\n", 5);
    const std::span<const net::const_buffer> pieces(wire.data(), count);
    bool ok = co_await write(pieces);
    head_.clear();
    co_return ok;
  }

  // Writes `buffers` whole: what the socket takes at once without waiting, the rest (a
  // client reading slower than the gateway writes) asynchronously within the write timeout.
  template <class Buffers>
  net::awaitable<bool> write(const Buffers& buffers) {
    beast::buffers_suffix<Buffers> rest(buffers);
    beast::error_code ec;
    if (!write_now(stream_, rest, ec)) {
      deadline_.expires_after(write_timeout_);
      ec = std::get<0>(co_await net::async_write(stream_, rest, use_tuple));
    }
    ok_ = !ec;
    co_return ok_;
  }

  // The connection can carry another request only if this one was answered completely.
  bool reusable() const { return ok_ && committed_ && keep_alive_ && (!streaming_ || finished_); }

 private:
  tcp::socket& stream_;
  SocketDeadline& deadline_;
  std::string& head_;
  ResponseHeader& server_fields_;
  bool keep_alive_;
  Millis write_timeout_;
  const ClientWatch& watch_;
  bool committed_ = false;
  bool streaming_ = false;
  bool finished_ = false;
  bool ok_ = true;
};

}  // namespace

// How reading a request's body ended.
struct BodyRead {
  enum class Outcome { complete, close, reject };
  Outcome outcome = Outcome::complete;
  int status = 0;       // for reject: the answer's status and message
  std::string message;

  static BodyRead closed() { return {Outcome::close, 0, {}}; }  // the client left, or stalled
  static BodyRead rejected(int status, std::string message) { return {Outcome::reject, status, std::move(message)}; }
};

// The body of one keep-alive connection. A struct so Server can befriend it.
struct SessionRunner {
  Server& server;
  Server::Worker& worker;

  // A typical request arrives in one read; a larger body grows the buffer for as long as
  // it is needed.
  static constexpr std::size_t kReadBufferSize = 2 * 1024;
  static constexpr std::size_t kKeptBufferSize = 64 * 1024;

  // Static, taking the runner by value: a coroutine must not hold `this` of a temporary.
  // `watch` is kept alive by the coroutine's completion handler (a pointer: g++ 12 may
  // destroy a coroutine's by-value class parameter twice).
  static net::awaitable<void> run(SessionRunner self, tcp::socket socket, ClientWatch* watch) {
    Server& server = self.server;
    Server::Worker& worker = self.worker;
    SocketDeadline deadline(socket.get_executor(), socket);
    ReadBuffer buffer(kReadBufferSize);
    RequestHead head;
    ChannelBuffers channel_buffers;
    std::string chunked_body;  // a chunked request's body, decoded
    const ServerOptions& options = server.options_;
    server.open_sessions_.fetch_add(1, std::memory_order_relaxed);
    bool first = true;

    while (!server.draining()) {
      deadline.expires_after(first ? options.header_timeout : options.idle_timeout);
      auto idle_entry = worker.idle_sessions.insert(worker.idle_sessions.end(), &socket);
      HeadParse parse;
      beast::error_code ec;
      std::size_t resume = 0;
      while (true) {
        parse = parse_request_head(buffer.data(), options.max_header_size, head, resume);
        if (parse.status != HeadStatus::incomplete) break;
        ec = co_await read_more(socket, buffer, 1024);
        if (ec) break;
      }
      worker.idle_sessions.erase(idle_entry);
      first = false;
      auto received_at = std::chrono::steady_clock::now();
      if (ec) break;  // the client left or stalled, or the server is draining
      if (parse.status != HeadStatus::complete) {
        // Spelled out before the co_await: g++ 12 mishandles temporaries of a conditional
        // expression inside one (see shared/toolchain.md).
        int status = 400;
        std::string message = "malformed HTTP request: ";
        if (parse.status == HeadStatus::too_large) {
          status = 431;
          message += "header fields too large";
        } else {
          message += parse.error;
        }
        co_await self.send_rejection(socket, deadline, nullptr, status, std::move(message), received_at);
        break;
      }
      buffer.consume(parse.size);

      std::string_view body;
      BodyRead read = co_await self.read_body(socket, deadline, buffer, head, chunked_body, body);
      if (read.outcome == BodyRead::Outcome::reject) {
        co_await self.send_rejection(socket, deadline, &head, read.status, std::move(read.message), received_at);
      }
      if (read.outcome != BodyRead::Outcome::complete) break;
      deadline.expires_never();

      ClientRequest request{head, body};
      std::string request_id = request_id_for(head);
      bool keep_alive = head.keep_alive() && !server.draining();
      StreamChannel channel(socket, deadline, channel_buffers, request_id, keep_alive, options.idle_timeout, *watch);
      Exchange exchange{request, request_id, channel, worker.upstreams, received_at, watch->interrupt()};
      // Handlers answer their own failures; an exception escaping one is a bug, and the
      // connection, whose state is now unknown, is dropped.
      watch->arm(socket);
      try {
        co_await server.handler_.handle(exchange);
      } catch (const std::exception& e) {
        watch->disarm();
        log::error("request handler failed", {{"request_id", request_id}, {"error", e.what()}});
        break;
      }
      watch->disarm();
      if (watch->gone() || !channel.reusable()) break;
      if (head.framing.kind == BodyFraming::Kind::length) buffer.consume(static_cast<std::size_t>(head.framing.length));
      if (buffer.empty() && buffer.capacity() > kKeptBufferSize) buffer = ReadBuffer(kReadBufferSize);
    }

    beast::error_code ignored;
    socket.shutdown(tcp::socket::shutdown_send, ignored);
    socket.close(ignored);
    server.open_sessions_.fetch_sub(1, std::memory_order_release);
  }

  // One read into the buffer, with room for at least `wanted` bytes.
  static net::awaitable<beast::error_code> read_more(tcp::socket& socket, ReadBuffer& buffer, std::size_t wanted) {
    std::span<char> space = buffer.prepare(wanted);
    auto [ec, received] = co_await socket.async_read_some(net::buffer(space.data(), space.size()), use_tuple);
    buffer.commit(received);
    co_return ec;
  }

  // Reads the body `head` announces. When complete, `body` views it: in the buffer for a
  // Content-Length body (consumed after the request is handled), in `chunked_body` for a
  // chunked one (consumed as decoded).
  net::awaitable<BodyRead> read_body(tcp::socket& socket, SocketDeadline& deadline, ReadBuffer& buffer,
                                        const RequestHead& head, std::string& chunked_body, std::string_view& body) {
    const ServerOptions& options = server.options_;
    const BodyFraming& framing = head.framing;
    if (framing.kind == BodyFraming::Kind::length && framing.length > options.max_body_size) {
      co_return BodyRead::rejected(413, too_large_message());  // refused on its Content-Length alone
    }
    bool complete = framing.kind == BodyFraming::Kind::none ||
                    (framing.kind == BodyFraming::Kind::length && buffer.size() >= framing.length);
    if (!complete && iequals(head.fields.get("expect"), "100-continue")) {
      static constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
      deadline.expires_after(options.idle_timeout);
      auto [ec, written] = co_await net::async_write(socket, net::buffer(kContinue), use_tuple);
      if (ec) co_return BodyRead::closed();
    }
    // A body already in the buffer needs no read, so no deadline (which would re-arm the
    // timer for every request: the header timeout is shorter than the keep-alive one).
    if (!complete) deadline.expires_after(options.header_timeout);

    if (framing.kind == BodyFraming::Kind::chunked) {
      chunked_body.clear();
      ChunkedDecoder decoder;
      while (true) {
        ChunkedDecoder::Step step = decoder.next(buffer.data());
        if (!step.error.empty()) {
          co_return BodyRead::rejected(400, "malformed HTTP request body: " + std::string(step.error));
        }
        chunked_body.append(step.data);
        buffer.consume(step.consumed);
        if (chunked_body.size() > options.max_body_size) co_return BodyRead::rejected(413, too_large_message());
        if (step.done) break;
        if (step.need_more) {
          beast::error_code ec = co_await read_more(socket, buffer, 1024);
          if (ec) co_return BodyRead::closed();
        }
      }
      body = chunked_body;
      co_return BodyRead{};
    }
    std::size_t length = static_cast<std::size_t>(framing.length);
    while (buffer.size() < length) {
      beast::error_code ec = co_await read_more(socket, buffer, length - buffer.size());
      if (ec) co_return BodyRead::closed();
    }
    body = buffer.data().substr(0, length);
    co_return BodyRead{};
  }

  std::string too_large_message() const {
    return "request body is larger than the limit of " + std::to_string(server.options_.max_body_size) + " bytes";
  }

  static std::string request_id_for(const RequestHead& head) {
    if (auto sent = head.fields.get("x-request-id"); is_acceptable_request_id(sent)) return std::string(sent);
    return new_request_id();
  }

  // Answers a request refused before its handler ran, then the connection closes. `head`
  // is null when not even the head could be parsed.
  net::awaitable<void> send_rejection(tcp::socket& socket, SocketDeadline& deadline, const RequestHead* head,
                                      int status, std::string message,
                                      std::chrono::steady_clock::time_point received_at) {
    std::string request_id = head ? request_id_for(*head) : new_request_id();
    std::string_view method = head ? head->method : std::string_view{};
    std::string_view target = head ? head->target : std::string_view{};
    ClientResponse response =
        server.handler_.reject(Rejection{method, target, request_id, status, message, received_at});
    ResponseHeader server_fields;
    server_fields.set("x-request-id", request_id);
    std::string wire_head;
    append_response_head(wire_head, response, server_fields.lines(), ResponseFraming{response.body.size(), false});
    const std::array<net::const_buffer, 2> wire{net::buffer(wire_head), net::buffer(response.body)};
    deadline.expires_after(server.options_.idle_timeout);
    auto [ec, n] = co_await net::async_write(socket, wire, use_tuple);
    if (!ec) co_await linger(socket, deadline);
  }

  // Closing a socket with unread input makes the kernel send RST, and the client may then
  // lose the response it has not read yet. Read and discard for a moment first.
  static net::awaitable<void> linger(tcp::socket& socket, SocketDeadline& deadline) {
    beast::error_code ignored;
    socket.shutdown(tcp::socket::shutdown_send, ignored);
    std::array<char, 16 * 1024> sink;
    deadline.expires_after(std::chrono::milliseconds(500));
    while (true) {
      auto [ec, n] = co_await socket.async_read_some(net::buffer(sink), use_tuple);
      if (ec) break;
    }
  }
};

namespace {

net::awaitable<void> accept_loop(Server& server, Server::Worker& worker) {
  net::steady_timer backoff(worker.io);
  while (worker.acceptor && worker.acceptor->is_open()) {
    auto [ec, socket] = co_await worker.acceptor->async_accept(use_tuple);
    if (ec) {
      if (ec == net::error::operation_aborted || !worker.acceptor || !worker.acceptor->is_open()) break;
      // Typically EMFILE: back off instead of spinning, the fd pressure may pass.
      log::warn("accept failed", {{"error", ec.message()}});
      backoff.expires_after(std::chrono::milliseconds(50));
      co_await backoff.async_wait(use_tuple);
      continue;
    }
    beast::error_code ignored;
    socket.set_option(tcp::no_delay(true), ignored);
    socket.non_blocking(true, ignored);  // for write_now
    auto watch = std::make_shared<ClientWatch>();
    net::co_spawn(worker.io, SessionRunner::run(SessionRunner{server, worker}, std::move(socket), watch.get()),
                  [watch](std::exception_ptr e) { log_exception(e, "session"); });
  }
}

// Every proxied connection holds two descriptors (client and upstream); the usual soft
// limit of 1024 would cap the gateway at about 500 streams. Raise it to the hard limit,
// as nginx's worker_rlimit_nofile does, and say what it is.
void raise_open_file_limit() {
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) != 0) return;
  if (limit.rlim_cur < limit.rlim_max) {
    rlimit raised = limit;
    raised.rlim_cur = limit.rlim_max;
    if (::setrlimit(RLIMIT_NOFILE, &raised) == 0) limit = raised;
  }
  log::info("open file limit", {{"descriptors", static_cast<std::int64_t>(limit.rlim_cur)},
                                {"connections_at_most", static_cast<std::int64_t>(limit.rlim_cur / 2)}});
}

}  // namespace

Server::Server(ServerOptions options, RequestHandler& handler)
    : options_(std::move(options)), handler_(handler), shutdown_signal_(std::make_unique<ShutdownSignal>()) {
  unsigned threads = options_.threads ? options_.threads : std::max(1u, std::thread::hardware_concurrency());
  for (unsigned i = 0; i < threads; ++i) workers_.push_back(std::make_unique<Worker>());
}

Server::~Server() = default;

std::optional<std::string> Server::bind() {
  raise_open_file_limit();
  beast::error_code ec;
  auto address = net::ip::make_address(options_.listen.host == "localhost" ? "127.0.0.1" : options_.listen.host, ec);
  if (ec) return "cannot listen on '" + options_.listen.host + "': not an IP address";
  std::uint16_t port = options_.listen.port;
  for (auto& worker : workers_) {
    tcp::endpoint endpoint(address, port);
    tcp::acceptor acceptor(worker->io);
    acceptor.open(endpoint.protocol(), ec);
    if (!ec) acceptor.set_option(net::socket_base::reuse_address(true), ec);
    if (!ec) {
      // Every thread gets its own listener on the same port; the kernel spreads connections.
      int one = 1;
      if (::setsockopt(acceptor.native_handle(), SOL_SOCKET, SO_REUSEPORT, &one, sizeof one) != 0)
        ec = beast::error_code(errno, beast::system_category());
    }
    if (!ec) acceptor.bind(endpoint, ec);
    if (!ec) acceptor.listen(net::socket_base::max_listen_connections, ec);
    if (ec) {
      return "cannot listen on " + options_.listen.host + ":" + std::to_string(port) + ": " + ec.message();
    }
    port = acceptor.local_endpoint().port();  // port 0 resolves on the first bind; the rest share it
    worker->acceptor.emplace(std::move(acceptor));
  }
  bound_port_ = port;
  return std::nullopt;
}

void Server::run() {
  auto& signal = *shutdown_signal_;
  signal.signals.async_wait([this](const beast::error_code& ec, int number) {
    if (ec) return;
    log::info("shutdown requested, draining", {{"signal", number}});
    drain_and_stop();
  });
  for (auto& worker : workers_) {
    net::co_spawn(worker->io, accept_loop(*this, *worker), [](std::exception_ptr e) { log_exception(e, "accept"); });
    worker->thread = std::thread([&io = worker->io] { io.run(); });
  }
  signal.io.run();
  for (auto& worker : workers_) {
    if (worker->thread.joinable()) worker->thread.join();
  }
}

void Server::shutdown() {
  net::post(shutdown_signal_->io, [this] { drain_and_stop(); });
}

// Runs on the signal thread: stop accepting, close idle keep-alive connections, let
// requests in flight finish until the deadline, then stop every thread.
void Server::drain_and_stop() {
  if (draining_.exchange(true, std::memory_order_acq_rel)) return;
  handler_.on_drain();
  for (auto& worker : workers_) {
    net::post(worker->io, [&w = *worker] {
      beast::error_code ignored;
      if (w.acceptor) w.acceptor->close(ignored);
      for (tcp::socket* socket : w.idle_sessions) socket->cancel(ignored);
    });
  }
  auto deadline = std::chrono::steady_clock::now() + options_.shutdown_timeout;
  auto timer = std::make_shared<net::steady_timer>(shutdown_signal_->io);
  auto poll = std::make_shared<std::function<void()>>();
  *poll = [this, deadline, timer, poll] {
    bool idle = open_sessions_.load(std::memory_order_acquire) == 0;
    if (idle || std::chrono::steady_clock::now() >= deadline) {
      if (!idle) {
        log::warn("shutdown deadline reached, closing open connections",
                  {{"open_connections", open_sessions_.load()}});
      }
      for (auto& worker : workers_) worker->io.stop();
      shutdown_signal_->signals.cancel();
      *poll = nullptr;  // break the self-reference
      return;
    }
    // Sessions that became idle since the last pass (a response just finished) close now.
    for (auto& worker : workers_) {
      net::post(worker->io, [&w = *worker] {
        beast::error_code ignored;
        for (tcp::socket* socket : w.idle_sessions) socket->cancel(ignored);
      });
    }
    timer->expires_after(std::chrono::milliseconds(20));
    timer->async_wait([poll](const beast::error_code&) {
      if (*poll) (*poll)();
    });
  };
  (*poll)();
}

}  // namespace switchyard::http
