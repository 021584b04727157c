// Notices a client that closes its connection while its request is being handled, so the
// handler's upstream work stops at once rather than at its next write to the client (a
// request still waiting for an upstream's first byte may not write for minutes, while the
// provider generates, and bills, an answer nobody will read).
//
// While a handler runs, a read-readiness wait is pending on the client's socket. When it
// fires, a peek tells a closed connection (end of file or an error) from bytes of a
// pipelined next request (then the watch stops: those are the next request's). A closed
// connection marks the watch gone and interrupts the request (interrupt()): whatever its
// handler waits for stops at once.
//
// The wait is not cancelled when the handler ends (that cost a reactor operation per
// request): it stays pending while the session reads the next request, completes when that
// request's bytes arrive, and is started again for the next handler if it is needed.
#pragma once

#include <boost/asio/ip/tcp.hpp>
#include <memory>

#include "http/interrupt.h"

namespace switchyard::http {

class ClientWatch : public std::enable_shared_from_this<ClientWatch> {
 public:
  // A handler starts on `socket`, which stays open until its session ends.
  void arm(boost::asio::ip::tcp::socket& socket);
  // The handler ended: what the wait finds from now on is the session's to read.
  void disarm() { armed_ = false; }
  bool gone() const { return gone_; }
  // What the request's handler hooks its waits to.
  Interrupt& interrupt() { return interrupt_; }

 private:
  void wait();
  void on_ready(const boost::system::error_code& ec);

  boost::asio::ip::tcp::socket* socket_ = nullptr;
  bool armed_ = false;    // a handler is running
  bool waiting_ = false;  // a wait is pending on the socket
  bool gone_ = false;
  Interrupt interrupt_;
};

}  // namespace switchyard::http
