// A Beast body type for reading that copies nothing: it records where the parser found the
// next piece of the body inside the connection's read buffer.
//
// A piece stays valid until the next read into that buffer, which is all a relayed response
// needs: each piece is handed on before the next is read. Like beast::http::buffer_body, it
// takes one piece per read and answers `need_buffer` (not an error: "hand this one out
// first") while a piece is held. Compared with buffer_body it saves a copy of every body
// byte and the buffer it was copied into (8 KiB per open stream).
#pragma once

#include <boost/asio/buffer.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/optional.hpp>
#include <cstdint>

namespace switchyard::http {

struct SpanBody {
  struct value_type {
    const char* data = nullptr;
    std::size_t size = 0;  // 0: no piece held
  };

  class reader {
   public:
    template <bool isRequest, class Fields>
    reader(boost::beast::http::header<isRequest, Fields>&, value_type& body) : body_(body) {}

    void init(const boost::optional<std::uint64_t>&, boost::beast::error_code& ec) { ec = {}; }

    template <class ConstBufferSequence>
    std::size_t put(const ConstBufferSequence& buffers, boost::beast::error_code& ec) {
      if (body_.size != 0) {
        ec = boost::beast::http::error::need_buffer;
        return 0;
      }
      // The parser hands over one contiguous range of its buffer at a time.
      boost::asio::const_buffer piece = *boost::asio::buffer_sequence_begin(buffers);
      body_.data = static_cast<const char*>(piece.data());
      body_.size = piece.size();
      ec = {};
      return piece.size();
    }

    void finish(boost::beast::error_code& ec) { ec = {}; }

   private:
    value_type& body_;
  };
};

}  // namespace switchyard::http
