// Notices a client that closes its connection while its request is being handled, so the
// handler's upstream work stops at once rather than at its next write to the client (a
// request still waiting for an upstream's first byte may not write for minutes, while the
// provider generates, and bills, an answer nobody will read).
//
// While armed, a read-readiness wait is pending on the client's socket. When it fires, a
// peek tells a closed connection (end of file or an error) from bytes of a pipelined next
// request (then the watch stops: those are the next request's). A closed connection marks
// the watch gone and interrupts the request (interrupt()): whatever its handler waits for
// stops at once.
#pragma once

#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <cstdint>
#include <memory>

#include "http/interrupt.h"

namespace switchyard::http {

class ClientWatch : public std::enable_shared_from_this<ClientWatch> {
 public:
  // Starts watching `socket`, which must stay open until disarm(), for a new request.
  void arm(boost::asio::ip::tcp::socket& socket);
  void disarm();
  bool gone() const { return gone_; }
  // What the request's handler hooks its waits to.
  Interrupt& interrupt() { return interrupt_; }

 private:
  void wait();
  void on_ready(const boost::system::error_code& ec, std::uint64_t generation);

  boost::asio::ip::tcp::socket* socket_ = nullptr;
  bool armed_ = false;
  // Which arming a wait belongs to: a wait of an earlier request that completed just
  // before disarm() could not be cancelled, and must not act for the next one.
  std::uint64_t generation_ = 0;
  bool gone_ = false;
  Interrupt interrupt_;
  boost::asio::cancellation_signal stop_wait_;
};

}  // namespace switchyard::http
