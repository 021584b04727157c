#include "http/socket_deadline.h"

#include <gtest/gtest.h>

#include <array>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <chrono>
#include <utility>

namespace switchyard::http {
namespace {

namespace net = boost::asio;
using tcp = net::ip::tcp;
using namespace std::chrono_literals;

// A connected pair of sockets on loopback; the peer never writes, so a read waits.
struct SocketPair {
  net::io_context io;
  tcp::socket local{io};
  tcp::socket peer{io};

  SocketPair() {
    tcp::acceptor acceptor(io, tcp::endpoint(net::ip::address_v4::loopback(), 0));
    local.connect(acceptor.local_endpoint());
    acceptor.accept(peer);
  }
};

struct ReadOutcome {
  boost::system::error_code error;
  std::chrono::steady_clock::duration took{};
  bool done = false;
};

// Starts a read on `socket` that records how it ended.
void start_read(tcp::socket& socket, std::array<char, 16>& buffer, ReadOutcome& outcome) {
  auto started = std::chrono::steady_clock::now();
  socket.async_read_some(net::buffer(buffer), [&outcome, started](boost::system::error_code ec, std::size_t) {
    outcome.error = ec;
    outcome.took = std::chrono::steady_clock::now() - started;
    outcome.done = true;
  });
}

// Reads once from the pair's local socket, running the context until the read ends (at most
// two seconds).
ReadOutcome read_once(SocketPair& pair) {
  std::array<char, 16> buffer;
  ReadOutcome outcome;
  start_read(pair.local, buffer, outcome);
  pair.io.run_for(2s);
  return outcome;
}

TEST(SocketDeadline, CancelsAPendingReadWhenItPasses) {
  SocketPair pair;
  SocketDeadline deadline(pair.io.get_executor(), pair.local);
  deadline.expires_after(50ms);
  ReadOutcome outcome = read_once(pair);
  ASSERT_TRUE(outcome.done);
  EXPECT_EQ(outcome.error, net::error::operation_aborted);
  EXPECT_TRUE(deadline.expired());
  EXPECT_GE(outcome.took, 45ms);
  EXPECT_LT(outcome.took, 1s);
}

// Sets a deadline `first` from now, moves it to `second` from now, and reads once; the
// outcome says whether the deadline had expired when the read ended.
std::pair<ReadOutcome, bool> read_after_moving(std::chrono::milliseconds first, std::chrono::milliseconds second) {
  SocketPair pair;
  SocketDeadline deadline(pair.io.get_executor(), pair.local);
  deadline.expires_after(first);  // arms the timer
  deadline.expires_after(second);
  ReadOutcome outcome = read_once(pair);
  return {outcome, deadline.expired()};
}

TEST(SocketDeadline, MovedLaterItWaitsForTheNewDeadline) {
  // The timer fires at 40 ms, finds the deadline moved and waits again.
  auto [outcome, expired] = read_after_moving(40ms, 200ms);
  ASSERT_TRUE(outcome.done);
  EXPECT_TRUE(expired);
  EXPECT_GE(outcome.took, 190ms);
}

TEST(SocketDeadline, MovedEarlierItFiresAtTheNewDeadline) {
  auto [outcome, expired] = read_after_moving(10000ms, 50ms);
  ASSERT_TRUE(outcome.done);
  EXPECT_TRUE(expired);
  EXPECT_LT(outcome.took, 1s);
}

TEST(SocketDeadline, NeverAndDataLeaveTheReadAlone) {
  SocketPair pair;
  SocketDeadline deadline(pair.io.get_executor(), pair.local);
  deadline.expires_after(30ms);
  deadline.expires_never();
  net::steady_timer later(pair.io, 150ms);
  later.async_wait([&](boost::system::error_code) { net::write(pair.peer, net::buffer("x", 1)); });
  ReadOutcome outcome = read_once(pair);
  ASSERT_TRUE(outcome.done);
  EXPECT_FALSE(outcome.error) << outcome.error.message();
  EXPECT_FALSE(deadline.expired());
}

TEST(SocketDeadline, OutlivedByItsTimerWithoutHarm) {
  SocketPair pair;
  {
    SocketDeadline deadline(pair.io.get_executor(), pair.local);
    deadline.expires_after(20ms);
  }  // destroyed with its wait pending: the wait must not touch the socket or the owner
  std::array<char, 16> buffer;
  ReadOutcome outcome;
  start_read(pair.local, buffer, outcome);
  pair.io.run_for(200ms);
  EXPECT_FALSE(outcome.done);
}

}  // namespace
}  // namespace switchyard::http
