// A base for handlers of JSON events (json_events::read_json, or Boost.JSON's
// basic_parser) that read a few members off the events instead of building a DOM.
//
// Both call every callback by name; this base accepts and ignores each event, so a handler
// declares only the callbacks it acts on (its own hide these). read_json hands over every
// key and string whole, so the handlers in src take on_key and on_string only.
#pragma once

#include <boost/json/error.hpp>
#include <boost/json/string_view.hpp>
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace switchyard::json_events {

class IgnoringHandler {
 public:
  static constexpr std::size_t max_object_size = std::size_t(-1);
  static constexpr std::size_t max_array_size = std::size_t(-1);
  static constexpr std::size_t max_key_size = std::size_t(-1);
  static constexpr std::size_t max_string_size = std::size_t(-1);

  using error_code = boost::json::error_code;
  using string_view = boost::json::string_view;

  bool on_document_begin(error_code&) { return true; }
  bool on_document_end(error_code&) { return true; }
  bool on_object_begin(error_code&) { return true; }
  bool on_object_end(std::size_t, error_code&) { return true; }
  bool on_array_begin(error_code&) { return true; }
  bool on_array_end(std::size_t, error_code&) { return true; }
  bool on_key_part(string_view, std::size_t, error_code&) { return true; }
  bool on_key(string_view, std::size_t, error_code&) { return true; }
  bool on_string_part(string_view, std::size_t, error_code&) { return true; }
  bool on_string(string_view, std::size_t, error_code&) { return true; }
  bool on_number_part(string_view, error_code&) { return true; }
  bool on_int64(std::int64_t, string_view, error_code&) { return true; }
  bool on_uint64(std::uint64_t, string_view, error_code&) { return true; }
  bool on_double(double, string_view, error_code&) { return true; }
  bool on_bool(bool, error_code&) { return true; }
  bool on_null(error_code&) { return true; }
  bool on_comment_part(string_view, error_code&) { return true; }
  bool on_comment(string_view, error_code&) { return true; }
};

// A base for handlers that read a body of a known shape and give up on anything else, so
// the caller can read that body from a DOM instead. The handler opens a container it reads
// with enter(its scope) and one it ignores with skip(); inside skipped containers nothing
// is read (in_skipped()), and leave() closes either kind. `member_` is the member of the
// current container the next value belongs to (Member::other for one not read).
template <class Scope, class Member>
class ScopedScan : public IgnoringHandler {
 protected:
  static constexpr std::size_t kMaxDepth = 8;

  std::size_t depth() const { return depth_; }
  // The innermost container being read; only valid at depth() > 0.
  Scope scope() const { return scopes_[depth_ - 1]; }
  bool in_skipped() const { return skipped_ > 0; }

  bool enter(Scope scope, error_code& ec) {
    if (depth_ == kMaxDepth) return give_up(ec);
    scopes_[depth_++] = scope;
    return true;
  }
  bool skip() {
    ++skipped_;
    return true;
  }
  bool leave() {
    if (skipped_ > 0) {
      --skipped_;
    } else if (--depth_ > 0) {
      member_ = Member::other;  // back in the container that held it; its member was the one closed
    }
    return true;
  }
  // Marks `member` read in `seen` (a bit per member); false when it was read already, as
  // a DOM would then take the last one.
  static bool first_read(std::uint32_t& seen, Member member) {
    if (member == Member::other) return true;
    std::uint32_t bit = 1u << static_cast<unsigned>(member);
    if (seen & bit) return false;
    seen |= bit;
    return true;
  }
  // Stops the parse: the body is not of the shape this handler reads.
  static bool give_up(error_code& ec) {
    ec = boost::json::make_error_code(boost::json::error::exception);
    return false;
  }

  Member member_ = Member::other;

 private:
  Scope scopes_[kMaxDepth]{};
  std::size_t depth_ = 0;
  int skipped_ = 0;
};

}  // namespace switchyard::json_events
