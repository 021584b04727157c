#include "dialects/anthropic/message_scan.h"

#include <boost/json/basic_parser_impl.hpp>
#include <cstdint>

#include "core/json_events.h"
#include "dialects/anthropic/messages_response.h"

namespace switchyard::anthropic {
namespace json = boost::json;

namespace {

// Depth counts the containers open: the message is depth 1, `content` and `usage` 2, a
// content block 3. A callback that meets something the scan does not take gives up
// (returns false with `ec` set); the caller then reads the body as a DOM.
class MessageHandler : public json_events::IgnoringHandler {
 public:
  canonical::Response response;
  bool saw_content = false;
  bool saw_usage = false;
  std::int64_t input_tokens = 0, output_tokens = 0, cache_write_tokens = 0, cache_read_tokens = 0;
  std::string stop_reason;

  bool on_object_begin(json::error_code& ec) {
    if (depth_ == 0) return open();
    if (depth_ == 1 && member_ == Member::usage) {
      saw_usage = true;
      return open();
    }
    if (depth_ == 2 && in_content_) {
      block_type_.clear();
      block_text_.clear();
      block_seen_ = 0;
      return open();
    }
    return skip_container(ec);
  }
  bool on_object_end(std::size_t, json::error_code& ec) {
    if (depth_ == 3 && in_content_) {
      if (block_type_ != "text") return give_up(ec);  // missing or another type: the DOM reading's
      response.content.push_back(canonical::TextBlock{std::move(block_text_)});
    }
    return close();
  }
  bool on_array_begin(json::error_code& ec) {
    if (depth_ == 1 && member_ == Member::content) {
      saw_content = in_content_ = true;
      return open();
    }
    return skip_container(ec);
  }
  bool on_array_end(std::size_t, json::error_code&) {
    if (depth_ == 2) in_content_ = false;
    return close();
  }

  bool on_key_part(json::string_view part, std::size_t, json::error_code&) {
    if (taking_keys()) add_part(part);
    return true;
  }
  bool on_key(json::string_view last, std::size_t, json::error_code& ec) {
    if (!taking_keys()) return true;
    std::string_view key = whole(last);
    bool fresh = true;
    if (depth_ == 1) {
      member_ = root_member(key);
      fresh = first_time(root_seen_, member_);
    } else if (depth_ == 2) {  // usage
      member_ = usage_member(key);
      fresh = first_time(usage_seen_, member_);
    } else {  // a content block
      if (key == "name") return give_up(ec);  // JSON mode's tool is told by its name
      member_ = key == "type" ? Member::type : key == "text" ? Member::text : Member::other;
      fresh = first_time(block_seen_, member_);
    }
    clear_parts();
    return fresh || give_up(ec);
  }

  bool on_string_part(json::string_view part, std::size_t, json::error_code&) {
    if (skipping_ == 0) add_part(part);
    return true;
  }
  bool on_string(json::string_view last, std::size_t, json::error_code& ec) {
    if (skipping_ > 0) return true;
    std::string_view text = whole(last);
    bool taken = true;
    if (depth_ == 1) {
      switch (member_) {
        case Member::id: response.id.assign(text); break;
        case Member::model: response.model.assign(text); break;
        case Member::stop_reason: stop_reason.assign(text); break;
        case Member::stop_sequence: response.stop_sequence.assign(text); break;
        case Member::other: break;
        default: taken = false;
      }
    } else if (depth_ == 3) {
      if (member_ == Member::type) block_type_.assign(text);
      if (member_ == Member::text) block_text_.assign(text);
    } else if (depth_ == 2) {
      taken = in_content_ ? false : member_ == Member::other;  // a string as a content item or a count
    }
    clear_parts();
    return taken || give_up(ec);
  }
  bool on_int64(std::int64_t value, json::string_view, json::error_code& ec) { return number(value, ec); }
  bool on_uint64(std::uint64_t value, json::string_view, json::error_code& ec) {
    return number(static_cast<std::int64_t>(value), ec);
  }
  bool on_double(double, json::string_view, json::error_code& ec) { return plain_scalar(ec); }
  bool on_bool(bool, json::error_code& ec) { return plain_scalar(ec); }
  bool on_null(json::error_code& ec) {
    if (skipping_ > 0) return true;
    // null where a string is read is the empty string, as string_or_empty reads it.
    if (depth_ == 1 && member_ != Member::content && member_ != Member::usage) return true;
    if (depth_ == 3 && member_ != Member::type) return true;
    return plain_scalar(ec);
  }

 private:
  enum class Member : unsigned {
    other, id, model, content, stop_reason, stop_sequence, usage,         // the message's
    input_tokens, output_tokens, cache_creation_input_tokens, cache_read_input_tokens,  // usage's
    type, text,                                                           // a block's
  };

  static Member root_member(std::string_view key) {
    if (key == "id") return Member::id;
    if (key == "model") return Member::model;
    if (key == "content") return Member::content;
    if (key == "stop_reason") return Member::stop_reason;
    if (key == "stop_sequence") return Member::stop_sequence;
    if (key == "usage") return Member::usage;
    return Member::other;
  }
  static Member usage_member(std::string_view key) {
    if (key == "input_tokens") return Member::input_tokens;
    if (key == "output_tokens") return Member::output_tokens;
    if (key == "cache_creation_input_tokens") return Member::cache_creation_input_tokens;
    if (key == "cache_read_input_tokens") return Member::cache_read_input_tokens;
    return Member::other;
  }
  // Marks `member` seen; false when it was already (the DOM would take the last one).
  static bool first_time(std::uint32_t& seen, Member member) {
    if (member == Member::other) return true;
    std::uint32_t bit = 1u << static_cast<unsigned>(member);
    if (seen & bit) return false;
    seen |= bit;
    return true;
  }

  bool taking_keys() const { return skipping_ == 0 && (depth_ == 1 || depth_ == 3 || (depth_ == 2 && !in_content_)); }

  bool give_up(json::error_code& ec) {
    ec = json::make_error_code(json::error::exception);
    return false;
  }

  // A container whose members the scan ignores: inside it, nothing is taken.
  bool skip_container(json::error_code& ec) {
    if (skipping_ == 0) {
      bool ignorable = (depth_ == 1 && member_ == Member::other) || (depth_ == 2 && !in_content_ && member_ == Member::other) ||
                       (depth_ == 3 && member_ == Member::other);
      if (!ignorable) return give_up(ec);
    }
    ++skipping_;
    ++depth_;
    return true;
  }

  bool number(std::int64_t value, json::error_code& ec) {
    if (skipping_ > 0) return true;
    if (depth_ == 2 && !in_content_) {
      switch (member_) {
        case Member::input_tokens: input_tokens = value; return true;
        case Member::output_tokens: output_tokens = value; return true;
        case Member::cache_creation_input_tokens: cache_write_tokens = value; return true;
        case Member::cache_read_input_tokens: cache_read_tokens = value; return true;
        default: break;
      }
    }
    return plain_scalar(ec);
  }

  // A number, bool or null: fine where the scan ignores the member, else a give-up.
  bool plain_scalar(json::error_code& ec) {
    if (skipping_ > 0) return true;
    bool ignored = (depth_ == 1 && member_ == Member::other) || (depth_ == 2 && !in_content_ && member_ == Member::other) ||
                   (depth_ == 3 && member_ == Member::other);
    return ignored || give_up(ec);
  }

  bool open() {
    ++depth_;
    return true;
  }
  bool close() {
    if (skipping_ > 0) --skipping_;
    --depth_;
    return true;
  }

  int depth_ = 0;
  int skipping_ = 0;  // containers open inside an ignored member
  bool in_content_ = false;
  Member member_ = Member::other;
  std::uint32_t root_seen_ = 0, usage_seen_ = 0, block_seen_ = 0;
  std::string block_type_, block_text_;
};

}  // namespace

std::optional<canonical::Response> scan_text_message(std::string_view body) {
  json::basic_parser<MessageHandler> parser(json::parse_options{});
  json::error_code ec;
  if (!json_events::parse_events(parser, body, ec)) return std::nullopt;
  MessageHandler& handler = parser.handler();
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
