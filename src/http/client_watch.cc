#include "http/client_watch.h"

#include <sys/socket.h>

#include <cerrno>

namespace switchyard::http {

void ClientWatch::arm(boost::asio::ip::tcp::socket& socket) {
  socket_ = &socket;
  armed_ = true;
  interrupt_.reset();
  if (!waiting_) wait();
}

void ClientWatch::wait() {
  waiting_ = true;
  // The session's completion handler and this wait keep the watch alive.
  socket_->async_wait(boost::asio::ip::tcp::socket::wait_read,
                      [self = shared_from_this()](const boost::system::error_code& ec) { self->on_ready(ec); });
}

void ClientWatch::on_ready(const boost::system::error_code& ec) {
  waiting_ = false;
  // The socket's operations were cancelled or it closed (the session is ending), or no
  // handler is running: the session reads whatever came itself.
  if (ec || !armed_) return;
  char byte;
  ssize_t peeked = ::recv(socket_->native_handle(), &byte, 1, MSG_PEEK | MSG_DONTWAIT);
  if (peeked > 0) return;  // a pipelined request: the client is still there
  if (peeked < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) {
    wait();  // woken by bytes the session has read since (or by nothing)
    return;
  }
  armed_ = false;
  gone_ = true;
  interrupt_.interrupt();
}

}  // namespace switchyard::http
