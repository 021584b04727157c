// Blocking work (a database query) awaited from a coroutine without blocking its event
// loop: the job runs on `thread`, and the coroutine resumes on its own executor with the result.
#pragma once

#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace switchyard {

template <class T, class Work>
boost::asio::awaitable<T> on_thread(boost::asio::thread_pool& thread, Work work) {
  namespace net = boost::asio;
  return net::async_initiate<decltype(net::use_awaitable), void(T)>(
      [&thread](auto handler, Work job) {
        net::post(thread, [handler = std::move(handler), job = std::move(job)]() mutable {
          T result = job();
          auto home = net::get_associated_executor(handler);
          net::dispatch(home, [handler = std::move(handler), result = std::move(result)]() mutable {
            handler(std::move(result));
          });
        });
      },
      net::use_awaitable, std::move(work));
}

}  // namespace switchyard
