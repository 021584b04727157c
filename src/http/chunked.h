// The chunked transfer coding (RFC 9112 §7.1), decoded in place: data comes out as views
// into the bytes given, so a relayed stream is never copied to be unwrapped.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace switchyard::http {

class ChunkedDecoder {
 public:
  struct Step {
    std::size_t consumed = 0;  // bytes of the input used up; 0 with need_more means "read more"
    std::string_view data;     // body bytes, a view into the input (may be empty)
    bool need_more = false;    // nothing more can be decoded from this input
    bool done = false;         // the last chunk and the trailers have been read
    std::string_view error;    // malformed coding (a static message)
  };

  // Decodes what it can from the front of `input`: one size line, or as much of a chunk's
  // data as is there, or its CRLF, or the trailer section. Call again with the input that
  // is left until `need_more`, `done` or `error`.
  Step next(std::string_view input);

  // True while inside a chunk's data: the next step would hand out body bytes.
  bool at_data() const { return state_ == State::data; }

 private:
  enum class State { size_line, data, data_end, trailers, done };
  State state_ = State::size_line;
  std::uint64_t remaining_ = 0;  // of the current chunk's data
  std::size_t trailer_bytes_ = 0;
};

}  // namespace switchyard::http
