// Where the gateway keeps Responses API answers it served itself (translated to a provider
// that keeps no state), so clients can continue them by previous_response_id, refer to their
// items by id, and GET or DELETE them, as on OpenAI. A narrow interface: SQLite by default,
// PostgreSQL when replicas share state.
//
// Every read waits on the store's own thread and resumes the caller on its executor; a write
// is queued and never waits. Reads and writes are served in order, so a follow-up request
// sees the answer it continues even when it arrives right after it.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <cstdint>
#include <optional>
#include <string>

namespace switchyard::store {

struct StoredResponse {
  std::string id;            // resp_…
  std::string owner;         // who may read it: the principal that created it
  std::string body;          // the response object as the client received it
  std::string conversation;  // JSON array: the input items it answered, then its output items
  std::int64_t created_at = 0;   // seconds since the epoch
  std::int64_t expires_at = 0;
};

class ResponseStore {
 public:
  virtual ~ResponseStore() = default;

  // Queued: kept with each of its conversation's items (for item references) until it expires.
  virtual void put(StoredResponse response) = 0;
  virtual boost::asio::awaitable<std::optional<StoredResponse>> get(std::string id, std::string owner) = 0;
  // One item of a stored conversation, by its own id (msg_…, fc_…), as JSON.
  virtual boost::asio::awaitable<std::optional<std::string>> find_item(std::string item_id, std::string owner) = 0;
  // False when there was no such response for this owner.
  virtual boost::asio::awaitable<bool> remove(std::string id, std::string owner) = 0;

  // Answers an upstream kept itself (an OpenAI Responses deployment): which provider account
  // holds each, so a request continuing one goes back there. Queued, like put.
  virtual void note_upstream(std::string id, std::string owner, std::string provider, std::int64_t expires_at) = 0;
  virtual boost::asio::awaitable<std::optional<std::string>> upstream_of(std::string id, std::string owner) = 0;
};

}  // namespace switchyard::store
