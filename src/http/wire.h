// HTTP/1.1 message heads written into one contiguous buffer. Beast's serializer walks a
// chain of small buffer views per field and hands the kernel one iovec per piece; for the
// small messages of a gateway that walk cost more than the rest of the request. A head
// built here and the body go out together in a single two-buffer write.
#pragma once

#include <span>
#include <string>
#include <string_view>

#include "http/message_head.h"
#include "http/upstream.h"

namespace switchyard::http {

// The field lines ("Name: value\r\n") of every set, in order. A name given twice, in one
// set or across sets, is written once, with its last value; Host, Content-Length,
// Connection and Transfer-Encoding are left out, as the client owns the framing. A
// provider spells its lines once per API key, not per request.
std::string header_lines(std::span<const HeaderList* const> sets);

// The request line, Host, `lines` (as header_lines() spells them), Content-Length when
// there is a body (or the method carries one), and the blank line.
void append_request_head(std::string& out, std::string_view method, std::string_view path, std::string_view host,
                         std::string_view lines, std::size_t body_size);

// "1a2b\r\n": the size line of one chunk of a chunked body.
std::string_view chunk_size_line(std::size_t size, char (&storage)[20]);

}  // namespace switchyard::http
