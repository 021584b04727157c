// A connection's read buffer: the bytes received and not consumed yet, in one contiguous
// range, so heads and bodies can be parsed and handed out as views without copying.
#pragma once

#include <algorithm>
#include <cstring>
#include <memory>
#include <span>
#include <string_view>

namespace switchyard::http {

class ReadBuffer {
 public:
  explicit ReadBuffer(std::size_t initial_capacity) : initial_capacity_(initial_capacity) {}

  std::string_view data() const { return {storage_.get() + begin_, end_ - begin_}; }
  std::size_t size() const { return end_ - begin_; }
  bool empty() const { return begin_ == end_; }

  void consume(std::size_t count) {
    begin_ += count;
    if (begin_ >= end_) begin_ = end_ = 0;  // empty again: the next read starts at the front
  }
  void clear() { begin_ = end_ = 0; }

  // Free space after the data, at least `min` bytes: moves the data to the front or grows
  // the storage when it must, which invalidates views into the data.
  std::span<char> prepare(std::size_t min = 1) {
    if (!storage_) {
      capacity_ = std::max(initial_capacity_, min);
      storage_ = std::make_unique_for_overwrite<char[]>(capacity_);
    } else if (capacity_ - end_ < min) {
      std::size_t used = size();
      if (capacity_ - used >= min && used <= capacity_ / 2) {
        std::memmove(storage_.get(), storage_.get() + begin_, used);
      } else {
        capacity_ = std::max(capacity_ * 2, used + min);
        auto grown = std::make_unique_for_overwrite<char[]>(capacity_);
        std::memcpy(grown.get(), storage_.get() + begin_, used);
        storage_ = std::move(grown);
      }
      begin_ = 0;
      end_ = used;
    }
    return {storage_.get() + end_, capacity_ - end_};
  }
  void commit(std::size_t count) { end_ += count; }

  std::size_t capacity() const { return capacity_; }

 private:
  std::size_t initial_capacity_;
  std::unique_ptr<char[]> storage_;
  std::size_t capacity_ = 0;
  std::size_t begin_ = 0;
  std::size_t end_ = 0;
};

}  // namespace switchyard::http
