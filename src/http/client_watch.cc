#include "http/client_watch.h"

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/error.hpp>

namespace switchyard::http {

void ClientWatch::arm(boost::asio::ip::tcp::socket& socket) {
  armed_ = true;
  interrupt_.reset();
  // The session's completion handler and this peek keep the watch alive.
  socket.async_receive(boost::asio::buffer(&byte_, 1), boost::asio::ip::tcp::socket::message_peek,
                       boost::asio::bind_cancellation_slot(
                           stop_peek_.slot(), [self = shared_from_this(), generation = ++generation_](
                                                  const boost::system::error_code& ec, std::size_t bytes) {
                             self->on_peeked(ec, bytes, generation);
                           }));
}

void ClientWatch::disarm() {
  if (!armed_) return;
  armed_ = false;
  stop_peek_.emit(boost::asio::cancellation_type::total);  // a pending peek completes aborted
}

void ClientWatch::on_peeked(const boost::system::error_code& ec, std::size_t bytes, std::uint64_t generation) {
  if (!armed_ || generation != generation_) return;  // the handler ended since
  if (ec == boost::asio::error::operation_aborted) return;  // the session's operations were cancelled
  if (!ec && bytes > 0) return;  // a pipelined request: the client is still there
  armed_ = false;
  gone_ = true;  // the end of the stream, or the connection broke
  interrupt_.interrupt();
}

}  // namespace switchyard::http
