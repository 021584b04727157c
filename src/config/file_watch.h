// Watches a configuration file for changes with inotify. The watch is on the file's
// directory, so a file replaced by renaming a new one over it (what most editors and
// deployment tools do) is seen too, as is a Kubernetes ConfigMap volume, whose file is a
// symlink into a directory that is swapped by a rename. Events come in bursts (a write, a
// close, a rename): they are gathered for `settle` before `on_change` runs once, which
// rereads the file and compares it with what is loaded. Events for other files of the
// directory are ignored.
#pragma once

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>

namespace switchyard::config {

class FileWatch {
 public:
  FileWatch(boost::asio::io_context& io, std::string path, std::function<void()> on_change,
            std::chrono::milliseconds settle = std::chrono::milliseconds(100));
  ~FileWatch();
  FileWatch(const FileWatch&) = delete;
  FileWatch& operator=(const FileWatch&) = delete;

  // Starts watching; returns why it cannot.
  std::optional<std::string> start();
  void stop();

 private:
  struct State;
  std::shared_ptr<State> state_;  // shared with the pending read and timer
};

}  // namespace switchyard::config
