#include "core/log.h"

#include <sys/uio.h>
#include <unistd.h>

#include <cerrno>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <ctime>
#include <mutex>
#include <thread>
#include <vector>

namespace switchyard::log {
namespace {

std::atomic<Level> g_min_level{Level::info};

std::string_view level_name(Level level) {
  switch (level) {
    case Level::debug: return "debug";
    case Level::info: return "info";
    case Level::warn: return "warn";
    case Level::error: return "error";
  }
  return "info";
}

void append_timestamp(std::string& line) {
  auto now = std::chrono::system_clock::now();
  auto seconds = std::chrono::system_clock::to_time_t(now);
  auto millis = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char buffer[32];
  std::size_t n = std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%S", &utc);
  line.append(buffer, n);
  char ms[8];
  int m = std::snprintf(ms, sizeof ms, ".%03dZ", static_cast<int>(millis));
  line.append(ms, static_cast<std::size_t>(m));
}

bool needs_quotes(std::string_view value) {
  if (value.empty()) return true;
  for (unsigned char c : value) {
    if (c <= ' ' || c == '"' || c == '=' || c == 0x7f) return true;
  }
  return false;
}

// The queue of lines and the thread that writes them.
class Writer {
 public:
  static constexpr std::size_t kMaxQueuedBytes = 4 * 1024 * 1024;

  Writer() : thread_([this] { run(); }) {}

  void push(std::string line) {
    std::unique_lock lock(mutex_);
    if (queued_bytes_ + line.size() > kMaxQueuedBytes) {
      dropped_.fetch_add(1, std::memory_order_relaxed);
      return;
    }
    bool was_idle = queue_.empty() && !writing_;
    queued_bytes_ += line.size();
    queue_.push_back(std::move(line));
    lock.unlock();
    // Only the first line of a burst wakes the writer; the rest join its batch.
    if (was_idle) wake_.notify_one();
  }

  // Bounded: a reader that stopped reading stderr must not keep the process from exiting.
  void flush() {
    std::unique_lock lock(mutex_);
    drained_.wait_for(lock, std::chrono::seconds(2), [this] { return queue_.empty() && !writing_; });
  }

  std::uint64_t dropped() const { return dropped_.load(std::memory_order_relaxed); }

 private:
  void run() {
    std::vector<std::string> batch;
    std::unique_lock lock(mutex_);
    while (true) {
      wake_.wait(lock, [this] { return !queue_.empty(); });
      batch.swap(queue_);
      queued_bytes_ = 0;
      writing_ = true;
      lock.unlock();
      write_all(batch);
      batch.clear();
      lock.lock();
      writing_ = false;
      if (queue_.empty()) drained_.notify_all();
    }
  }

  // A short or failed write to stderr loses the rest of the batch: there is nowhere better
  // to report it.
  static void write_all(const std::vector<std::string>& lines) {
    constexpr std::size_t kMaxIovecs = 64;
    iovec pieces[kMaxIovecs];
    for (std::size_t at = 0; at < lines.size();) {
      std::size_t count = 0;
      for (; count < kMaxIovecs && at + count < lines.size(); ++count) {
        pieces[count] = iovec{const_cast<char*>(lines[at + count].data()), lines[at + count].size()};
      }
      ssize_t written;
      do {
        written = ::writev(STDERR_FILENO, pieces, static_cast<int>(count));
      } while (written < 0 && errno == EINTR);
      at += count;
    }
  }

  std::mutex mutex_;
  std::condition_variable wake_;     // the writer waits for lines
  std::condition_variable drained_;  // flush waits for the writer
  std::vector<std::string> queue_;
  std::size_t queued_bytes_ = 0;
  bool writing_ = false;
  std::atomic<std::uint64_t> dropped_{0};
  std::thread thread_;
};

// Made on first use and never destroyed: lines logged during static destruction still
// have a writer, and its thread ends with the process.
Writer& writer() {
  static Writer* instance = new Writer();
  return *instance;
}

}  // namespace

void flush() { writer().flush(); }

std::uint64_t dropped_lines() { return writer().dropped(); }

void set_min_level(Level level) { g_min_level.store(level, std::memory_order_relaxed); }

bool enabled(Level level) { return level >= g_min_level.load(std::memory_order_relaxed); }

void append_field(std::string& line, std::string_view key, std::string_view value) {
  line += ' ';
  line += key;
  line += '=';
  if (!needs_quotes(value)) {
    line += value;
    return;
  }
  line += '"';
  for (unsigned char c : value) {
    if (c == '"' || c == '\\') {
      line += '\\';
      line += static_cast<char>(c);
    } else if (c < ' ' || c == 0x7f) {
      char escaped[8];
      std::snprintf(escaped, sizeof escaped, "\\x%02x", c);
      line += escaped;
    } else {
      line += static_cast<char>(c);
    }
  }
  line += '"';
}

void write(Level level, std::string_view message, std::initializer_list<Field> fields) {
  if (level < g_min_level.load(std::memory_order_relaxed)) return;
  std::string line;
  line.reserve(128);
  append_timestamp(line);
  line += ' ';
  line += level_name(level);
  line += ' ';
  line += message;
  for (const Field& field : fields) append_field(line, field.key, field.value);
  line += '\n';
  writer().push(std::move(line));
}

}  // namespace switchyard::log
