// Notices a client that closes its connection while its request is being handled, so the
// handler's upstream work stops at once rather than at its next write to the client (a
// request still waiting for an upstream's first byte may not write for minutes, while the
// provider generates, and bills, an answer nobody will read).
//
// While a handler runs, a one-byte peek is pending on the client's socket: it completes
// with the end of the stream (or an error) when the client closes, which marks the watch
// gone and interrupts the request (interrupt()), so that whatever its handler waits for
// stops at once; or with a byte of a pipelined next request, which the session will read
// (then the watch stops: the client is there). A peek rather than a readiness wait: asio
// re-arms the descriptor with epoll_ctl for every wait, where a read is queued in user
// space, and right after the session read the request, without even a speculative recv.
#pragma once

#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <cstdint>
#include <memory>

#include "http/interrupt.h"

namespace switchyard::http {

class ClientWatch : public std::enable_shared_from_this<ClientWatch> {
 public:
  // A handler starts on `socket`, which stays open until disarm().
  void arm(boost::asio::ip::tcp::socket& socket);
  void disarm();
  bool gone() const { return gone_; }
  // What the request's handler hooks its waits to.
  Interrupt& interrupt() { return interrupt_; }

 private:
  void on_peeked(const boost::system::error_code& ec, std::size_t bytes, std::uint64_t generation);

  bool armed_ = false;
  bool gone_ = false;
  // Which arming a peek belongs to: one that completed just before disarm() could not be
  // cancelled any more, and must not act for the next request.
  std::uint64_t generation_ = 0;
  char byte_ = 0;
  boost::asio::cancellation_signal stop_peek_;
  Interrupt interrupt_;
};

}  // namespace switchyard::http
