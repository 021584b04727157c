#include "core/json_top_members.h"

#include "core/json_events.h"
#include "core/json_reader.h"

namespace switchyard::json_events {
namespace {

using Kind = TopMember::Kind;

// Depth counts the containers open: the body's object is depth 1, a member's array or
// object depth 2.
class TopMembersHandler : public IgnoringHandler {
 public:
  explicit TopMembersHandler(std::span<TopMember> members) : members_(members) {}

  bool top_is_object = false;

  bool on_object_begin(error_code&) { return open(Kind::object); }
  bool on_object_end(std::size_t, error_code&) { return close(); }
  bool on_array_begin(error_code&) { return open(Kind::array); }
  bool on_array_end(std::size_t, error_code&) { return close(); }
  bool on_key(string_view key, std::size_t, error_code&) {
    if (depth_ == 1) {
      current_ = find(std::string_view(key.data(), key.size()));
      if (current_) ++current_->occurrences;
    }
    return true;
  }
  bool on_string(string_view text, std::size_t, error_code&) {
    if (depth_ == 1 && current_) current_->text.assign(text.data(), text.size());
    return value(Kind::string);
  }
  bool on_int64(std::int64_t number, string_view, error_code&) {
    if (depth_ == 1 && current_) current_->integer = number;
    return value(Kind::number);
  }
  bool on_uint64(std::uint64_t, string_view, error_code&) {
    if (depth_ == 1 && current_) current_->integer.reset();  // too large to be a limit anyone means
    return value(Kind::number);
  }
  bool on_double(double, string_view, error_code&) { return value(Kind::number); }
  bool on_bool(bool flag, error_code&) {
    if (depth_ == 1 && current_) current_->flag = flag;
    return value(Kind::boolean);
  }
  bool on_null(error_code&) { return value(Kind::null); }

 private:
  TopMember* find(std::string_view name) {
    for (TopMember& member : members_) {
      if (member.name == name) return &member;
    }
    return nullptr;
  }

  bool open(Kind kind) {
    value(kind);
    ++depth_;
    return true;
  }
  bool close() {
    --depth_;
    return true;
  }

  // A value, or a container opening, at the current depth.
  bool value(Kind kind) {
    if (depth_ == 0) {
      top_is_object = kind == Kind::object;
    } else if (depth_ == 1 && current_) {
      current_->kind = kind;
      current_->elements = 0;
      if (kind != Kind::string) current_->text.clear();
      if (kind != Kind::boolean) current_->flag = false;
    } else if (depth_ == 2 && current_ && current_->kind == Kind::array) {
      ++current_->elements;
    }
    return true;
  }

  std::span<TopMember> members_;
  int depth_ = 0;
  TopMember* current_ = nullptr;  // the member whose value is being read, if asked for
};

}  // namespace

bool read_top_members(std::string_view body, std::span<TopMember> members) {
  TopMembersHandler handler(members);
  boost::json::error_code ec;
  return read_json(body, handler, ec) && handler.top_is_object;
}

bool repeats_top_member(std::string_view body, std::string_view name) {
  TopMember member{name};
  return read_top_members(body, std::span<TopMember>(&member, 1)) && member.occurrences > 1;
}

}  // namespace switchyard::json_events
