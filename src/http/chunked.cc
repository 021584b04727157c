#include "http/chunked.h"

#include <algorithm>

namespace switchyard::http {
namespace {

// A size line carries at most a hex size and chunk extensions, which nobody we talk to
// sends; a longer one is an attack or garbage.
constexpr std::size_t kMaxSizeLine = 4096;
constexpr std::size_t kMaxTrailers = 16 * 1024;

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

ChunkedDecoder::Step ChunkedDecoder::next(std::string_view input) {
  Step step;
  switch (state_) {
    case State::size_line: {
      std::size_t crlf = input.find("\r\n");
      if (crlf == std::string_view::npos) {
        if (input.size() > kMaxSizeLine) {
          step.error = "a chunk size line is too long";
        } else {
          step.need_more = true;
        }
        return step;
      }
      if (crlf > kMaxSizeLine) {
        step.error = "a chunk size line is too long";
        return step;
      }
      std::string_view line = input.substr(0, crlf);
      std::uint64_t size = 0;
      std::size_t digits = 0;
      for (; digits < line.size(); ++digits) {
        int value = hex_value(line[digits]);
        if (value < 0) break;
        if (size >> 60) {
          step.error = "a chunk size is too large";
          return step;
        }
        size = size * 16 + static_cast<std::uint64_t>(value);
      }
      if (digits == 0) {
        step.error = "a chunk size is not hexadecimal";
        return step;
      }
      // What may follow the size: whitespace and extensions (";name=value"), ignored.
      std::string_view rest = line.substr(digits);
      std::size_t first = rest.find_first_not_of(" \t");
      if (first != std::string_view::npos && rest[first] != ';') {
        step.error = "a chunk size is not hexadecimal";
        return step;
      }
      if (rest.find_first_of(std::string_view("\r\n\0", 3)) != std::string_view::npos) {
        step.error = "a control character in a chunk size line";
        return step;
      }
      step.consumed = crlf + 2;
      remaining_ = size;
      state_ = size == 0 ? State::trailers : State::data;
      return step;
    }
    case State::data: {
      if (input.empty()) {
        step.need_more = true;
        return step;
      }
      std::size_t take = static_cast<std::size_t>(std::min<std::uint64_t>(remaining_, input.size()));
      step.data = input.substr(0, take);
      step.consumed = take;
      remaining_ -= take;
      if (remaining_ == 0) state_ = State::data_end;
      return step;
    }
    case State::data_end: {
      if (input.size() < 2) {
        step.need_more = true;
        return step;
      }
      if (input[0] != '\r' || input[1] != '\n') {
        step.error = "chunk data is not followed by CRLF";
        return step;
      }
      step.consumed = 2;
      state_ = State::size_line;
      return step;
    }
    case State::trailers: {
      // Trailer fields are read past and dropped; an empty line ends the body.
      std::size_t crlf = input.find("\r\n");
      if (crlf == std::string_view::npos) {
        if (trailer_bytes_ + input.size() > kMaxTrailers) {
          step.error = "the trailer section is too large";
        } else {
          step.need_more = true;
        }
        return step;
      }
      trailer_bytes_ += crlf + 2;
      if (trailer_bytes_ > kMaxTrailers) {
        step.error = "the trailer section is too large";
        return step;
      }
      step.consumed = crlf + 2;
      if (crlf == 0) {
        state_ = State::done;
        step.done = true;
      }
      return step;
    }
    case State::done:
      step.done = true;
      return step;
  }
  return step;
}

}  // namespace switchyard::http
