// Writing to a plain socket without a trip through the reactor when the kernel takes the
// bytes at once, as it does for a small message into a connection's idle send buffer.
//
// An async write completes through the scheduler even when the first send took it all: a
// posted completion, a poll of epoll to make room for it, and the coroutine suspended and
// resumed. At one connection that was two of a passthrough request's eight syscalls. The
// socket must be in non-blocking mode (set when it is accepted or connected), so a full
// send buffer makes the write stop instead of block.
#pragma once

#include <boost/asio/error.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/buffers_suffix.hpp>
#include <boost/beast/core/error.hpp>

namespace switchyard::http {

// Sends what the socket takes now from `rest`, consuming it. True when nothing is left to
// send (everything went out, or `ec` holds the error that stopped it); false when the rest
// must be written asynchronously.
template <class Buffers>
bool write_now(boost::asio::ip::tcp::socket& socket, boost::beast::buffers_suffix<Buffers>& rest,
               boost::beast::error_code& ec) {
  while (boost::asio::buffer_size(rest) > 0) {
    std::size_t sent = socket.write_some(rest, ec);
    if (ec == boost::asio::error::interrupted) continue;  // a signal arrived before any byte went
    if (ec == boost::asio::error::would_block || ec == boost::asio::error::try_again) {
      ec = {};
      return false;
    }
    if (ec) return true;
    rest.consume(sent);
  }
  return true;
}

}  // namespace switchyard::http
