// A deadline for a socket's operations that costs a clock read per operation.
//
// beast::basic_stream arms a timer before every read and write and cancels it after: two
// trips through the reactor's timer queue per operation, 13 % of the CPU of a passthrough
// request. Here one timer per socket is armed lazily. Moving the deadline later leaves it
// alone; when it fires before the deadline it is armed again for the deadline then current.
// Moving the deadline earlier re-arms it, unless by less than a few milliseconds.
//
// When the deadline passes, the socket's pending operations are cancelled: they fail with
// `operation_aborted`, and `expired()` tells the caller that this was the timeout.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <chrono>
#include <memory>

namespace switchyard::http {

class SocketDeadline {
 public:
  using Clock = std::chrono::steady_clock;

  SocketDeadline(const boost::asio::any_io_executor& executor, boost::asio::ip::tcp::socket& socket);
  ~SocketDeadline();
  SocketDeadline(const SocketDeadline&) = delete;
  SocketDeadline& operator=(const SocketDeadline&) = delete;

  void expires_after(Clock::duration timeout) { expires_at(Clock::now() + timeout); }
  void expires_at(Clock::time_point deadline);
  void expires_never();

  // True when the deadline passed since it was last set.
  bool expired() const;

 private:
  struct State;
  std::shared_ptr<State> state_;  // shared with the timer's pending wait, which may outlive this
};

}  // namespace switchyard::http
