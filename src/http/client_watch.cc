#include "http/client_watch.h"

#include <sys/socket.h>

#include <boost/asio/bind_cancellation_slot.hpp>
#include <cerrno>

namespace switchyard::http {

void ClientWatch::arm(boost::asio::ip::tcp::socket& socket) {
  socket_ = &socket;
  armed_ = true;
  ++generation_;
  interrupt_.reset();
  wait();
}

void ClientWatch::disarm() {
  if (!armed_) return;
  armed_ = false;
  stop_wait_.emit(boost::asio::cancellation_type::total);  // a pending wait completes aborted
}

void ClientWatch::wait() {
  // The handler keeps this alive while the wait is pending; the socket is only used while armed.
  socket_->async_wait(
      boost::asio::ip::tcp::socket::wait_read,
      boost::asio::bind_cancellation_slot(stop_wait_.slot(),
                                          [self = shared_from_this(), generation = generation_](
                                              const boost::system::error_code& ec) { self->on_ready(ec, generation); }));
}

void ClientWatch::on_ready(const boost::system::error_code& ec, std::uint64_t generation) {
  // Disarmed, armed again since (a stale wait), or the socket's operations were cancelled.
  if (!armed_ || generation != generation_ || ec) return;
  char byte;
  ssize_t peeked = ::recv(socket_->native_handle(), &byte, 1, MSG_PEEK | MSG_DONTWAIT);
  if (peeked > 0) {
    armed_ = false;  // a pipelined request: the client is still there
    return;
  }
  if (peeked < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) {
    wait();  // woken without data
    return;
  }
  armed_ = false;
  gone_ = true;
  interrupt_.interrupt();
}

}  // namespace switchyard::http
