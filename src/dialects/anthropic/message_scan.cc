#include "dialects/anthropic/message_scan.h"

#include <cstdint>

#include "core/json_reader.h"
#include "core/json_events.h"
#include "dialects/anthropic/messages_response.h"

namespace switchyard::anthropic {
namespace json = boost::json;

namespace {

enum class Scope { root, content, block, usage };

// The members read, by the scope they are in; `other` is any member the reading ignores.
enum class Member : unsigned {
  other, id, model, content, stop_reason, stop_sequence, usage,                  // the message
  input_tokens, output_tokens, cache_creation_input_tokens, cache_read_input_tokens,  // usage
  type, text, name,                                                              // a content block
};

Member member_named(Scope scope, std::string_view key) {
  switch (scope) {
    case Scope::root:
      if (key == "id") return Member::id;
      if (key == "model") return Member::model;
      if (key == "content") return Member::content;
      if (key == "stop_reason") return Member::stop_reason;
      if (key == "stop_sequence") return Member::stop_sequence;
      if (key == "usage") return Member::usage;
      break;
    case Scope::usage:
      if (key == "input_tokens") return Member::input_tokens;
      if (key == "output_tokens") return Member::output_tokens;
      if (key == "cache_creation_input_tokens") return Member::cache_creation_input_tokens;
      if (key == "cache_read_input_tokens") return Member::cache_read_input_tokens;
      break;
    case Scope::block:
      if (key == "type") return Member::type;
      if (key == "text") return Member::text;
      if (key == "name") return Member::name;
      break;
    case Scope::content: break;
  }
  return Member::other;
}

class MessageHandler : public json_events::ScopedScan<Scope, Member> {
 public:
  canonical::Response response;
  std::string stop_reason;
  bool saw_content = false;
  bool saw_usage = false;
  std::int64_t input_tokens = 0, output_tokens = 0, cache_write_tokens = 0, cache_read_tokens = 0;

  bool on_object_begin(json::error_code& ec) {
    if (in_skipped()) return skip();
    if (depth() == 0) return enter(Scope::root, ec);
    if (scope() == Scope::content) {  // a content block
      block_type_.clear();
      block_text_.clear();
      block_seen_ = 0;
      return enter(Scope::block, ec);
    }
    if (member_ == Member::usage) {
      saw_usage = true;
      return enter(Scope::usage, ec);
    }
    return member_ == Member::other ? skip() : give_up(ec);
  }
  bool on_object_end(std::size_t, json::error_code& ec) {
    if (!in_skipped() && scope() == Scope::block) {
      if (block_type_ != "text") return give_up(ec);  // missing or another type: the DOM reading's
      response.content.push_back(canonical::TextBlock{std::move(block_text_)});
    }
    return leave();
  }
  bool on_array_begin(json::error_code& ec) {
    if (in_skipped()) return skip();
    if (depth() == 0 || scope() == Scope::content) return give_up(ec);
    if (member_ == Member::content) {
      saw_content = true;
      return enter(Scope::content, ec);
    }
    return member_ == Member::other ? skip() : give_up(ec);
  }
  bool on_array_end(std::size_t, json::error_code&) { return leave(); }

  bool on_key(json::string_view last, std::size_t, json::error_code& ec) {
    if (in_skipped()) return true;
    member_ = member_named(scope(), std::string_view(last));
    if (member_ == Member::name) return give_up(ec);  // JSON mode's tool is told by its name
    return first_read(scope() == Scope::block ? block_seen_ : seen_, member_) || give_up(ec);
  }

  bool on_string(json::string_view last, std::size_t, json::error_code& ec) {
    if (in_skipped()) return true;
    std::string_view text = last;
    bool taken = true;
    switch (value_member()) {
      case Member::id: response.id.assign(text); break;
      case Member::model: response.model.assign(text); break;
      case Member::stop_reason: stop_reason.assign(text); break;
      case Member::stop_sequence: response.stop_sequence.assign(text); break;
      case Member::type: block_type_.assign(text); break;
      case Member::text: block_text_.assign(text); break;
      case Member::other: break;
      default: taken = false;
    }
    return taken || give_up(ec);
  }
  bool on_int64(std::int64_t value, json::string_view, json::error_code& ec) { return count(value, ec); }
  bool on_uint64(std::uint64_t value, json::string_view, json::error_code& ec) {
    return count(static_cast<std::int64_t>(value), ec);
  }
  bool on_double(double, json::string_view, json::error_code& ec) { return ignorable(ec); }
  bool on_bool(bool, json::error_code& ec) { return ignorable(ec); }
  // null reads as the empty string where a string is read, as string_or_empty reads it.
  bool on_null(json::error_code& ec) {
    if (in_skipped()) return true;
    switch (value_member()) {
      case Member::id: case Member::model: case Member::stop_reason: case Member::stop_sequence: case Member::text:
      case Member::other:
        return true;
      default: return give_up(ec);
    }
  }

 private:
  // The member a scalar value at this point belongs to; a scalar as a content item is none
  // the scan reads.
  Member value_member() const {
    if (depth() > 0 && scope() == Scope::content) return Member::content;
    return member_;
  }
  bool ignorable(json::error_code& ec) { return in_skipped() || value_member() == Member::other || give_up(ec); }
  bool count(std::int64_t value, json::error_code& ec) {
    if (in_skipped()) return true;
    switch (value_member()) {
      case Member::input_tokens: input_tokens = value; return true;
      case Member::output_tokens: output_tokens = value; return true;
      case Member::cache_creation_input_tokens: cache_write_tokens = value; return true;
      case Member::cache_read_input_tokens: cache_read_tokens = value; return true;
      case Member::other: return true;
      default: return give_up(ec);
    }
  }
  std::uint32_t seen_ = 0;        // the message's and usage's members read so far
  std::uint32_t block_seen_ = 0;  // the current block's
  std::string block_type_, block_text_;
};

}  // namespace

std::optional<canonical::Response> scan_text_message(std::string_view body) {
  json::error_code ec;
  auto read = json_events::read_events(body, ec, [] { return MessageHandler{}; });
  if (!read) return std::nullopt;
  MessageHandler& handler = *read;
  if (!handler.saw_content) return std::nullopt;
  canonical::Response response = std::move(handler.response);
  response.stop_reason = stop_reason_from(handler.stop_reason);
  if (handler.saw_usage) {
    response.usage.reported = true;
    response.usage.cache_read_tokens = handler.cache_read_tokens;
    response.usage.cache_write_tokens = handler.cache_write_tokens;
    response.usage.input_tokens = handler.input_tokens + handler.cache_read_tokens + handler.cache_write_tokens;
    response.usage.output_tokens = handler.output_tokens;
  }
  return response;
}

}  // namespace switchyard::anthropic
