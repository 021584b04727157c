#include "http/socket_deadline.h"

#include <boost/asio/steady_timer.hpp>

namespace switchyard::http {

namespace net = boost::asio;

namespace {

// How much later than the deadline the timer may fire: moving a deadline earlier by less
// than this does not re-arm it. (A response's first-token deadline is a few microseconds
// before the header deadline set just ahead of it.)
constexpr auto kSlack = std::chrono::milliseconds(10);

}  // namespace

struct SocketDeadline::State : std::enable_shared_from_this<State> {
  State(const net::any_io_executor& executor, net::ip::tcp::socket& socket) : timer(executor), socket(&socket) {}

  void arm(Clock::time_point at) {
    waiting = true;
    timer.expires_at(at);  // a wait already pending completes as cancelled and is ignored
    timer.async_wait([self = shared_from_this(), armed_as = ++generation](const boost::system::error_code& ec) {
      if (ec || armed_as != self->generation) return;
      self->fired();
    });
  }

  void fired() {
    waiting = false;
    if (!socket || deadline == Clock::time_point::max()) return;
    if (Clock::now() < deadline) {
      arm(deadline);
      return;
    }
    is_expired = true;
    boost::system::error_code ignored;
    socket->cancel(ignored);
  }

  net::steady_timer timer;
  net::ip::tcp::socket* socket;  // null once the owner is gone
  Clock::time_point deadline = Clock::time_point::max();
  unsigned generation = 0;
  bool waiting = false;
  bool is_expired = false;
};

SocketDeadline::SocketDeadline(const net::any_io_executor& executor, net::ip::tcp::socket& socket)
    : state_(std::make_shared<State>(executor, socket)) {}

SocketDeadline::~SocketDeadline() {
  state_->socket = nullptr;
  state_->timer.cancel();
}

void SocketDeadline::expires_at(Clock::time_point deadline) {
  State& state = *state_;
  state.deadline = deadline;
  state.is_expired = false;
  if (!state.waiting || deadline + kSlack < state.timer.expiry()) state.arm(deadline);
}

void SocketDeadline::expires_never() {
  state_->deadline = Clock::time_point::max();
  state_->is_expired = false;
}

bool SocketDeadline::expired() const { return state_->is_expired; }

}  // namespace switchyard::http
