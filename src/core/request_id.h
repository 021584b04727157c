// Request ids tie a client's response, the access log and (later) the ledger together.
#pragma once

#include <string>
#include <string_view>

namespace switchyard {

// A new random id, 32 lowercase hex characters.
std::string new_request_id();

// A client-supplied x-request-id is honoured only if it is short, printable ASCII
// without spaces, so it cannot break log lines or headers.
bool is_acceptable_request_id(std::string_view id);

}  // namespace switchyard
