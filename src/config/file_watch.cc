#include "config/file_watch.h"

#include <sys/inotify.h>
#include <unistd.h>

#include <array>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <cerrno>
#include <cstring>
#include <filesystem>

namespace switchyard::config {
namespace net = boost::asio;

struct FileWatch::State : std::enable_shared_from_this<State> {
  State(net::io_context& io, std::string file, std::function<void()> callback, std::chrono::milliseconds delay)
      : descriptor(io), timer(io), path(std::move(file)), on_change(std::move(callback)), settle(delay) {}

  net::posix::stream_descriptor descriptor;
  net::steady_timer timer;
  std::string path;
  std::string file_name = std::filesystem::path(path).filename().string();
  std::function<void()> on_change;
  std::chrono::milliseconds settle;
  alignas(inotify_event) std::array<char, 16 * 1024> events{};
  bool stopped = false;

  // Whether a batch of events concerns the file: its own name, Kubernetes' `..data` link
  // (swapped to update a ConfigMap volume), or the folder itself (no name: moved, deleted,
  // or events were lost). Other files of the folder, such as a log written next to the
  // configuration, do not wake the reloader.
  bool concerns_file(std::size_t size) const {
    for (std::size_t at = 0; at + sizeof(inotify_event) <= size;) {
      const auto* event = reinterpret_cast<const inotify_event*>(events.data() + at);
      std::string_view name = event->len ? std::string_view(event->name) : std::string_view{};
      if (name.empty() || name == file_name || name == "..data") return true;
      at += sizeof(inotify_event) + event->len;
    }
    return false;
  }

  void read() {
    descriptor.async_read_some(net::buffer(events), [self = shared_from_this()](const boost::system::error_code& ec,
                                                                                std::size_t size) {
      if (ec || self->stopped) return;
      if (self->concerns_file(size)) {
        // What changed does not matter: the caller rereads the file and compares.
        self->timer.expires_after(self->settle);
        self->timer.async_wait([self](const boost::system::error_code& timer_ec) {
          if (!timer_ec && !self->stopped) self->on_change();
        });
      }
      self->read();
    });
  }
};

FileWatch::FileWatch(net::io_context& io, std::string path, std::function<void()> on_change,
                     std::chrono::milliseconds settle)
    : state_(std::make_shared<State>(io, std::move(path), std::move(on_change), settle)) {}

FileWatch::~FileWatch() { stop(); }

std::optional<std::string> FileWatch::start() {
  int fd = ::inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
  if (fd < 0) return std::string("inotify_init1: ") + std::strerror(errno);
  std::filesystem::path directory = std::filesystem::absolute(state_->path).parent_path();
  constexpr std::uint32_t kMask = IN_CLOSE_WRITE | IN_MOVED_TO | IN_MOVED_FROM | IN_CREATE | IN_DELETE | IN_MODIFY |
                                  IN_ATTRIB | IN_DELETE_SELF | IN_MOVE_SELF;
  if (::inotify_add_watch(fd, directory.c_str(), kMask) < 0) {
    std::string problem = "cannot watch " + directory.string() + ": " + std::strerror(errno);
    ::close(fd);
    return problem;
  }
  state_->descriptor.assign(fd);
  state_->read();
  return std::nullopt;
}

void FileWatch::stop() {
  if (!state_ || state_->stopped) return;
  state_->stopped = true;
  boost::system::error_code ignored;
  state_->timer.cancel();
  state_->descriptor.close(ignored);
}

}  // namespace switchyard::config
