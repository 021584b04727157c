#include "http/upstream.h"

#include "core/free_memory.h"
#include "http/chunked.h"
#include "http/message_head.h"
#include "http/read_buffer.h"
#include "http/socket_deadline.h"
#include "http/socket_write.h"
#include "http/wire.h"

#include <openssl/ssl.h>

#include <algorithm>
#include <array>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <stdexcept>
#include <unordered_map>
#include <variant>

namespace switchyard::http {

namespace net = boost::asio;
namespace ssl = boost::asio::ssl;
namespace beast = boost::beast;
using tcp = net::ip::tcp;
using Clock = std::chrono::steady_clock;
constexpr auto use_tuple = net::as_tuple(net::use_awaitable);

namespace {

constexpr std::size_t kMaxIdlePerOrigin = 256;
constexpr auto kMaxIdleAge = std::chrono::seconds(30);  // below common server keep-alive limits
constexpr auto kSweepInterval = std::chrono::seconds(5);

constexpr std::size_t kMaxResponseHead = 64 * 1024;

// Connections are plain sockets (or TLS over one): the gateway parses HTTP itself, and
// keeps time with one SocketDeadline per connection instead of a timer per operation.
using PlainStream = tcp::socket;
using TlsStream = ssl::stream<tcp::socket>;

struct Connection {
  std::variant<PlainStream, TlsStream> stream;
  SocketDeadline deadline;  // for requests and responses; connecting uses the stream's own
  // 8 KiB: a typical response arrives in one read. Body pieces are handed out from here.
  ReadBuffer buffer{8 * 1024};
  // The current exchange's request head and parsed response head, kept with the connection
  // so a kept-alive connection reuses their storage instead of allocating it per request.
  std::string request_head;
  ResponseHead response_head;
  Clock::time_point idle_since{};

  template <class... Args>
  explicit Connection(Args&&... args)
      : stream(std::forward<Args>(args)...), deadline(socket().get_executor(), socket()) {}

  tcp::socket& socket() {
    if (auto* plain = std::get_if<PlainStream>(&stream)) return *plain;
    return std::get<TlsStream>(stream).next_layer();
  }
};

GatewayError unreachable(const UpstreamTarget& target, std::string_view what, const beast::error_code& ec) {
  return make_error(ErrorKind::upstream_unreachable,
                    std::string(what) + " " + target.url.origin() + ": " + ec.message(), "upstream_unreachable");
}

GatewayError timed_out(const UpstreamTarget& target, std::string_view what, std::string code) {
  return make_error(ErrorKind::upstream_timeout, "timed out " + std::string(what) + " " + target.url.origin(),
                    std::move(code));
}

bool interrupted(const Interrupt* interrupt) { return interrupt && interrupt->interrupted(); }

// How an Interrupt stops a wait on a socket: closing it fails the pending operation at once.
void close_socket(void* socket) {
  beast::error_code ignored;
  static_cast<tcp::socket*>(socket)->close(ignored);
}

// A socket error that means the server closed a kept-alive connection before reading.
bool is_stale_connection_error(const beast::error_code& ec) {
  return ec == net::error::eof || ec == net::error::connection_reset || ec == net::error::broken_pipe ||
         ec == ssl::error::stream_truncated;
}

}  // namespace

GatewayError cancelled_exchange() {
  return make_error(ErrorKind::cancelled, "the upstream exchange was cancelled", "cancelled");
}

UpstreamTarget make_upstream_target(UpstreamUrl url, std::shared_ptr<ssl::context> tls_context) {
  UpstreamTarget target{std::move(url), std::move(tls_context), {}, {}};
  target.host = target.url.host_header();
  // The TLS context is part of the key: a connection verified against one CA file must
  // not serve a provider configured with another.
  target.pool_key = (target.url.tls ? "https://" : "http://") + target.host;
  if (target.tls_context) {
    target.pool_key += "#" + std::to_string(reinterpret_cast<std::uintptr_t>(target.tls_context.get()));
  }
  return target;
}

std::shared_ptr<ssl::context> make_client_tls_context(const std::string& ca_file) {
  auto context = std::make_shared<ssl::context>(ssl::context::tls_client);
  context->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 | ssl::context::no_sslv3 |
                       ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1);
  beast::error_code ec;
  if (ca_file.empty()) {
    context->set_default_verify_paths(ec);
  } else {
    context->load_verify_file(ca_file, ec);
  }
  if (ec) {
    throw std::runtime_error(ca_file.empty() ? "cannot load the system CA store: " + ec.message()
                                             : "cannot load CA file '" + ca_file + "': " + ec.message());
  }
  context->set_verify_mode(ssl::verify_peer);
  return context;
}

net::awaitable<Result<std::string>> UpstreamResponse::read_all(std::size_t limit) {
  std::string body;
  while (true) {
    auto piece = co_await read_some();
    if (!piece) co_return piece.take_error();
    if (piece->empty()) break;
    if (body.size() + piece->size() > limit) {
      co_return make_error(ErrorKind::upstream_protocol,
                           "upstream response is larger than " + std::to_string(limit) + " bytes",
                           "upstream_response_too_large");
    }
    body.append(*piece);
  }
  co_return body;
}

struct UpstreamPool::State {
  explicit State(net::io_context& io_context) : io(io_context), resolver(io_context), sweeper(io_context) {}
  net::io_context& io;
  tcp::resolver resolver;
  std::unordered_map<std::string, std::vector<std::unique_ptr<Connection>>> idle;  // oldest first
  net::steady_timer sweeper;
  bool sweeping = false;

  std::unique_ptr<Connection> take_idle(const std::string& key) {
    auto found = idle.find(key);
    if (found == idle.end()) return nullptr;
    auto& stack = found->second;
    while (!stack.empty()) {
      std::unique_ptr<Connection> connection = std::move(stack.back());
      stack.pop_back();
      if (Clock::now() - connection->idle_since < kMaxIdleAge) return connection;
    }
    return nullptr;
  }

  void put_idle(const std::string& key, std::unique_ptr<Connection> connection) {
    auto& stack = idle[key];
    if (stack.size() >= kMaxIdlePerOrigin) return;
    connection->idle_since = Clock::now();
    connection->buffer.clear();
    stack.push_back(std::move(connection));
    schedule_sweep();
  }

  // Closes connections idle past kMaxIdleAge while any are pooled, so the connections
  // (and buffers) of a burst do not outlive it by more than that.
  void schedule_sweep() {
    if (sweeping) return;
    sweeping = true;
    sweeper.expires_after(kSweepInterval);
    // On cancellation the pool is being destroyed: touch nothing.
    sweeper.async_wait([this](const beast::error_code& ec) {
      if (ec) return;
      sweeping = false;
      sweep();
    });
  }

  void sweep() {
    auto now = Clock::now();
    for (auto it = idle.begin(); it != idle.end();) {
      auto& stack = it->second;
      auto fresh = std::find_if(stack.begin(), stack.end(),
                                [&](const auto& connection) { return now - connection->idle_since < kMaxIdleAge; });
      stack.erase(stack.begin(), fresh);
      it = stack.empty() ? idle.erase(it) : std::next(it);
    }
    if (!idle.empty()) {
      schedule_sweep();
    } else {
      // The last pooled connection is gone, so the burst that filled the pool is over:
      // give its memory back rather than keep this thread's peak for good.
      release_free_memory();
    }
  }
};

namespace {

class Deadline {
 public:
  explicit Deadline(Millis total) : end_(Clock::now() + total) {}
  // What is left of the total, never negative.
  Clock::duration left() const { return std::max(end_ - Clock::now(), Clock::duration::zero()); }
  // The time an operation may take: its own limit, cut to what is left of the total.
  Clock::duration budget(Millis limit) const {
    return std::min(std::chrono::duration_cast<Clock::duration>(limit), left());
  }

 private:
  Clock::time_point end_;
};

// Why a request could not get its response head.
struct ExchangeFailure {
  beast::error_code ec;        // a socket error or timeout
  std::string_view malformed;  // or what was wrong with the response head
  explicit operator bool() const { return ec || !malformed.empty(); }
};

// One request and its response on one connection; returns the connection to the pool
// when the body was read to the end and the server allows keep-alive.
class PooledResponse final : public UpstreamResponse {
 public:
  PooledResponse(std::weak_ptr<UpstreamPool::State> pool, std::unique_ptr<Connection> connection,
                 const UpstreamRequest& request)
      : pool_(std::move(pool)), connection_(std::move(connection)), target_(*request.target),
        deadline_(request.timeouts.total), timeouts_(request.timeouts),
        first_token_deadline_(Clock::now() + request.timeouts.first_token), method_(request.method),
        interrupt_(request.interrupt), first_token_by_caller_(request.first_token_by_caller) {
    std::string& head = connection_->request_head;
    head.clear();
    head.reserve(512);
    append_request_head(head, request.method, request.path, target_.host, request.header_lines,
                        request.body.size());
  }

  ~PooledResponse() override {
    // Bytes after the body would be read as the next response: such a connection is closed.
    // An interrupt can close the socket after its last read already completed (the read's
    // completion was queued, the coroutine not yet resumed): the body is whole, the socket is not.
    if (connection_ && body_done_ && keep_alive_ && !failed_ && connection_->buffer.empty() &&
        connection_->socket().is_open()) {
      if (auto pool = pool_.lock()) pool->put_idle(target_.pool_key, std::move(connection_));
    }
  }

  // Writes the request and reads the response head. `request` is the one this response
  // was made for; its body is written from where it is, not copied.
  net::awaitable<ExchangeFailure> exchange_headers(const UpstreamRequest& request) {
    const std::array<net::const_buffer, 2> wire{net::buffer(connection_->request_head), net::buffer(request.body)};
    connection_->deadline.expires_after(deadline_.budget(timeouts_.first_byte));
    Interrupt::Hook hook(interrupt_, &connection_->socket(), close_socket);
    ExchangeFailure failure;
    if (auto* plain = std::get_if<PlainStream>(&connection_->stream)) {
      beast::buffers_suffix<std::array<net::const_buffer, 2>> rest(wire);
      if (!write_now(*plain, rest, failure.ec)) failure.ec = std::get<0>(co_await net::async_write(*plain, rest, use_tuple));
    } else {
      failure.ec = std::get<0>(co_await net::async_write(std::get<TlsStream>(connection_->stream), wire, use_tuple));
    }
    if (!failure.ec) {
      request_written_ = true;
      failure = co_await read_head();
    }
    if (failure.ec && connection_->deadline.expired()) failure.ec = beast::error::timeout;
    if (failure) failed_ = true;
    co_return failure;
  }

  // A kept-alive connection the server had already closed fails on the write, or with a
  // clean EOF before any response byte. Only then is the request known to be unprocessed
  // and safe to send again; a reset after the write may mean the upstream acted on it.
  bool failed_as_stale(const beast::error_code& ec) const {
    if (got_some_) return false;
    if (!request_written_) return is_stale_connection_error(ec);
    return ec == net::error::eof;
  }

  int status() const override { return head().status; }

  std::string_view header(std::string_view name) const override { return head().fields.get(name); }

  void for_each_header(const std::function<void(std::string_view, std::string_view)>& visit) const override {
    for (const HeaderField& field : head().fields) visit(field.name, field.value);
  }

  bool finished() const override { return body_done_; }

  void cancel() override {
    failed_ = true;
    cancelled_ = true;
    beast::error_code ignored;
    connection_->socket().close(ignored);
  }

  void first_token_arrived() override { first_token_pending_ = false; }

  void interrupt_with(Interrupt* interrupt) override { interrupt_ = interrupt; }

  net::awaitable<Result<std::string_view>> read_some() override {
    while (!body_done_) {
      std::string_view malformed;
      std::string_view piece = take_piece(malformed);
      if (!malformed.empty()) {
        failed_ = true;
        co_return make_error(ErrorKind::upstream_protocol,
                             "upstream " + target_.url.origin() + " sent a malformed body: " + std::string(malformed),
                             "upstream_bad_response");
      }
      if (!piece.empty()) {
        got_body_ = true;
        if (!first_token_by_caller_) first_token_pending_ = false;
        co_return piece;
      }
      if (body_done_) break;

      // Until the first token, the first_token deadline; after it, the gap between pieces.
      Clock::duration budget = deadline_.budget(timeouts_.idle);
      if (first_token_pending_) {
        budget = std::min(budget, std::max(first_token_deadline_ - Clock::now(), Clock::duration::zero()));
      }
      // An interrupt that came while this coroutine was not waiting (its last read had
      // already completed) stopped nothing: it is seen here, before the next read.
      if (cancelled_ || interrupted(interrupt_)) {
        failed_ = true;
        co_return cancelled_exchange();
      }
      connection_->deadline.expires_after(budget);
      beast::error_code ec;
      {
        Interrupt::Hook hook(interrupt_, &connection_->socket(), close_socket);
        ec = co_await read_more();
      }
      if (ec && framing_.kind == BodyFraming::Kind::until_close && ec == net::error::eof) {
        body_done_ = true;  // this body ends with the connection
        break;
      }
      if (ec && connection_->deadline.expired()) ec = beast::error::timeout;
      if (ec) {
        failed_ = true;
        if (cancelled_ || interrupted(interrupt_)) co_return cancelled_exchange();
        if (ec == beast::error::timeout) {
          if (deadline_.left() == Clock::duration::zero()) co_return timed_out(target_, "reading the response from", "upstream_timeout");
          // Before the first token both limits apply: the gap after a stream's preamble is
          // an idle gap, unless the first token's own deadline is what passed.
          if (first_token_pending_ && (!got_body_ || Clock::now() >= first_token_deadline_)) {
            co_return timed_out(target_, "waiting for the first token from", "upstream_first_token_timeout");
          }
          co_return timed_out(target_, "waiting for more of the stream from", "upstream_idle_timeout");
        }
        co_return make_error(ErrorKind::upstream_unreachable,
                             "upstream " + target_.url.origin() + " closed the connection mid-response: " + ec.message(),
                             "upstream_truncated");
      }
    }
    co_return std::string_view{};
  }

 private:
  const ResponseHead& head() const { return connection_->response_head; }

  // Reads heads until a final one (interim 1xx answers are skipped) and decides the framing.
  net::awaitable<ExchangeFailure> read_head() {
    ReadBuffer& buffer = connection_->buffer;
    ResponseHead& head = connection_->response_head;
    std::size_t resume = 0;
    while (true) {
      HeadParse parse = parse_response_head(buffer.data(), kMaxResponseHead, head, resume);
      if (parse.status == HeadStatus::complete) {
        buffer.consume(parse.size);
        if (head.status >= 100 && head.status < 200 && head.status != 101) continue;
        ExchangeFailure failure;
        framing_ = response_framing(head, method_, failure.malformed);
        keep_alive_ = head.keep_alive() && framing_.kind != BodyFraming::Kind::until_close;
        remaining_ = framing_.length;
        body_done_ = framing_.kind == BodyFraming::Kind::none;
        co_return failure;
      }
      if (parse.status == HeadStatus::too_large) co_return ExchangeFailure{{}, "the response head is too large"};
      if (parse.status == HeadStatus::malformed) co_return ExchangeFailure{{}, parse.error};
      if (interrupted(interrupt_)) co_return ExchangeFailure{net::error::operation_aborted, {}};
      if (beast::error_code ec = co_await read_more()) {
        // A head cut off by the peer closing is a broken response, as much as a bad one.
        if (ec == net::error::eof && !buffer.empty()) co_return ExchangeFailure{{}, "the connection closed inside the response head"};
        co_return ExchangeFailure{ec, {}};
      }
    }
  }

  // The next piece of the body already in the buffer (empty when more must be read), as
  // a view into the buffer; sets body_done_ once the body has been handed out whole.
  std::string_view take_piece(std::string_view& malformed) {
    ReadBuffer& buffer = connection_->buffer;
    switch (framing_.kind) {
      case BodyFraming::Kind::none:
        body_done_ = true;
        return {};
      case BodyFraming::Kind::length: {
        if (buffer.empty()) return {};
        std::size_t take = static_cast<std::size_t>(std::min<std::uint64_t>(remaining_, buffer.size()));
        std::string_view piece = buffer.data().substr(0, take);
        buffer.consume(take);
        remaining_ -= take;
        body_done_ = remaining_ == 0;
        return piece;
      }
      case BodyFraming::Kind::until_close: {
        std::string_view piece = buffer.data();
        buffer.consume(piece.size());
        return piece;
      }
      case BodyFraming::Kind::chunked: {
        std::string_view piece;
        // Step past size lines and chunk ends to the next data; after data, keep stepping
        // while no data would be consumed, so finished() knows the body has ended when the
        // last chunk came with it.
        while (!buffer.empty() && !body_done_) {
          if (!piece.empty() && chunked_.at_data()) break;
          ChunkedDecoder::Step step = chunked_.next(buffer.data());
          if (!step.error.empty()) {
            if (piece.empty()) malformed = step.error;  // else reported on the next call
            break;
          }
          if (step.need_more) break;
          buffer.consume(step.consumed);
          if (step.done) body_done_ = true;
          if (!step.data.empty()) piece = step.data;
        }
        return piece;
      }
    }
    return {};
  }

  // One read from the socket into the buffer.
  net::awaitable<beast::error_code> read_more() {
    std::span<char> space = connection_->buffer.prepare(1024);
    auto into = net::buffer(space.data(), space.size());
    std::size_t received = 0;
    beast::error_code ec;
    if (auto* plain = std::get_if<PlainStream>(&connection_->stream)) {
      std::tie(ec, received) = co_await plain->async_read_some(into, use_tuple);
    } else {
      std::tie(ec, received) = co_await std::get<TlsStream>(connection_->stream).async_read_some(into, use_tuple);
    }
    if (received > 0) {
      connection_->buffer.commit(received);
      got_some_ = true;
    }
    co_return ec;
  }

  std::weak_ptr<UpstreamPool::State> pool_;  // weak: the pool may be gone when a stopped coroutine unwinds
  std::unique_ptr<Connection> connection_;
  const UpstreamTarget& target_;
  Deadline deadline_;
  UpstreamTimeouts timeouts_;
  Clock::time_point first_token_deadline_;
  std::string method_;
  BodyFraming framing_;
  ChunkedDecoder chunked_;
  std::uint64_t remaining_ = 0;  // of a body with a Content-Length
  bool body_done_ = false;
  bool keep_alive_ = false;
  bool failed_ = false;
  bool request_written_ = false;
  bool got_some_ = false;  // any byte of the response
  bool got_body_ = false;  // any byte of the body
  Interrupt* interrupt_;  // null: nobody interrupts this exchange
  bool first_token_by_caller_;
  bool first_token_pending_ = true;
  bool cancelled_ = false;
};

net::awaitable<Result<std::unique_ptr<Connection>>> connect(UpstreamPool::State& pool, const UpstreamTarget& target,
                                                            const UpstreamRequest& request) {
  const UpstreamUrl& url = target.url;
  auto [resolve_ec, endpoints] =
      co_await pool.resolver.async_resolve(url.host, std::to_string(url.port), use_tuple);
  if (interrupted(request.interrupt)) co_return cancelled_exchange();  // resolving cannot be stopped
  if (resolve_ec) co_return unreachable(target, "cannot resolve", resolve_ec);

  beast::tcp_stream tcp_stream(pool.io);
  // Open the socket here: Asio's connect reports a socket it could not open as "operation
  // canceled", which would blame the upstream for the gateway's own descriptor shortage.
  beast::error_code open_ec;
  tcp_stream.socket().open(endpoints.begin()->endpoint().protocol(), open_ec);
  if (open_ec == net::error::no_descriptors || open_ec == boost::system::errc::too_many_files_open_in_system) {
    co_return make_error(ErrorKind::unavailable,
                         "the gateway has no file descriptor left to connect to " + url.origin() + ": " + open_ec.message(),
                         "gateway_out_of_descriptors");
  }
  if (open_ec) co_return unreachable(target, "cannot open a socket to", open_ec);
  tcp_stream.expires_after(request.timeouts.connect);
  beast::error_code connect_ec;
  {
    Interrupt::Hook hook(request.interrupt, &tcp_stream.socket(), close_socket);
    std::tie(connect_ec, std::ignore) = co_await tcp_stream.async_connect(endpoints, use_tuple);
  }
  if (interrupted(request.interrupt)) co_return cancelled_exchange();
  if (connect_ec == beast::error::timeout) co_return timed_out(target, "connecting to", "upstream_connect_timeout");
  if (connect_ec) co_return unreachable(target, "cannot connect to", connect_ec);
  tcp_stream.expires_never();  // from here on the connection's SocketDeadline keeps time
  beast::error_code ignored;
  tcp_stream.socket().set_option(tcp::no_delay(true), ignored);
  tcp_stream.socket().non_blocking(true, ignored);  // for write_now

  if (!url.tls) co_return std::make_unique<Connection>(std::in_place_type<PlainStream>, tcp_stream.release_socket());

  auto connection = std::make_unique<Connection>(std::in_place_type<TlsStream>, tcp_stream.release_socket(),
                                                 *target.tls_context);
  auto& tls = std::get<TlsStream>(connection->stream);
  if (!SSL_set_tlsext_host_name(tls.native_handle(), url.host.c_str())) {
    co_return make_error(ErrorKind::upstream_unreachable, "cannot set TLS server name for " + url.origin(),
                         "upstream_tls_error");
  }
  tls.set_verify_callback(ssl::host_name_verification(url.host));
  connection->deadline.expires_after(request.timeouts.connect);
  beast::error_code handshake_ec;
  {
    Interrupt::Hook hook(request.interrupt, &connection->socket(), close_socket);
    std::tie(handshake_ec) = co_await tls.async_handshake(ssl::stream_base::client, use_tuple);
  }
  if (interrupted(request.interrupt)) co_return cancelled_exchange();
  if (handshake_ec && connection->deadline.expired()) {
    co_return timed_out(target, "in the TLS handshake with", "upstream_connect_timeout");
  }
  if (handshake_ec) {
    co_return make_error(ErrorKind::upstream_unreachable,
                         "TLS handshake with " + url.origin() + " failed: " + handshake_ec.message(),
                         "upstream_tls_error");
  }
  connection->deadline.expires_never();
  co_return connection;
}

}  // namespace

UpstreamPool::UpstreamPool(net::io_context& io) : state_(std::make_shared<State>(io)) {}

UpstreamPool::~UpstreamPool() = default;

std::size_t UpstreamPool::idle_connections() const {
  std::size_t count = 0;
  for (const auto& [key, stack] : state_->idle) count += stack.size();
  return count;
}

net::awaitable<Result<std::unique_ptr<UpstreamResponse>>> UpstreamPool::send(const UpstreamRequest& request) {
  const UpstreamTarget& target = *request.target;
  const std::string& key = target.pool_key;
  // A pooled connection may have been closed by the server while idle; that shows up as
  // EOF or reset before any response byte, and then one fresh connection is tried.
  for (int attempt = 0; attempt < 2; ++attempt) {
    std::unique_ptr<Connection> connection = attempt == 0 ? state_->take_idle(key) : nullptr;
    bool reused = connection != nullptr;
    if (!connection) {
      auto connected = co_await connect(*state_, target, request);
      if (!connected) co_return connected.take_error();
      connection = std::move(connected.value());
    }
    auto response = std::make_unique<PooledResponse>(state_, std::move(connection), request);
    ExchangeFailure failure = co_await response->exchange_headers(request);
    if (!failure) co_return std::unique_ptr<UpstreamResponse>(std::move(response));
    if (interrupted(request.interrupt)) co_return cancelled_exchange();
    if (!failure.malformed.empty()) {
      co_return make_error(ErrorKind::upstream_protocol,
                           "upstream " + target.url.origin() + " sent a malformed response: " +
                               std::string(failure.malformed),
                           "upstream_bad_response");
    }
    if (failure.ec == beast::error::timeout) {
      co_return timed_out(target, "waiting for the response headers from", "upstream_first_byte_timeout");
    }
    if (reused && response->failed_as_stale(failure.ec)) continue;
    co_return unreachable(target, "lost the connection to", failure.ec);
  }
  co_return make_error(ErrorKind::upstream_unreachable, "cannot reach " + target.url.origin(), "upstream_unreachable");
}

}  // namespace switchyard::http
