#include "dialects/openai/chunk_scan.h"


#include "core/json_events.h"
#include "core/json_reader.h"

namespace switchyard::openai {
namespace json = boost::json;

namespace {

// Depth counts the containers open: the chunk is depth 1, choices 2, a choice 3, its
// delta 4. Each member is taken from the last occurrence of its key, as a DOM would.
class ChunkHandler : public json_events::IgnoringHandler {
 public:
  explicit ChunkHandler(bool want_identity) : want_identity_(want_identity) {}

  ChunkScan scan;
  // What sends a chunk to the full decoder, each as the last occurrence of its key left it.
  bool error_object = false;
  bool usage_object = false;
  bool finish_reason = false;
  bool reasoning = false;
  bool tool_calls = false;

  bool on_object_begin(json::error_code&) { return open(Kind::object); }
  bool on_object_end(std::size_t, json::error_code&) { return close(); }
  bool on_array_begin(json::error_code&) { return open(Kind::array); }
  bool on_array_end(std::size_t, json::error_code&) { return close(); }
  bool on_key_part(json::string_view part, std::size_t, json::error_code&) {
    if (depth_ <= 4) add_part(part);
    return true;
  }
  bool on_key(json::string_view last, std::size_t, json::error_code&) {
    if (depth_ > 4) return true;
    std::string_view key = whole(last);
    if (depth_ == 1) {
      member_ = key == "id"        ? Member::id
                : key == "model"   ? Member::model
                : key == "error"   ? Member::error
                : key == "usage"   ? Member::usage
                : key == "choices" ? Member::choices
                                   : Member::other;
    } else if (depth_ == 3 && in_first_choice_) {
      choice_member_ = key == "delta" ? Member::delta : key == "finish_reason" ? Member::finish_reason : Member::other;
    } else if (depth_ == 4 && in_delta_) {
      delta_member_ = key == "content"             ? Member::content
                      : key == "reasoning_content" ? Member::reasoning
                      : key == "tool_calls"        ? Member::tool_calls
                                                   : Member::other;
    }
    clear_parts();
    return true;
  }
  bool on_string_part(json::string_view part, std::size_t, json::error_code&) {
    if (wants_text()) add_part(part);
    return true;
  }
  bool on_string(json::string_view last, std::size_t, json::error_code&) {
    if (wants_text()) {
      std::string_view text = whole(last);
      if (depth_ == 1) (member_ == Member::id ? scan.id : scan.model).assign(text);
      if (depth_ == 4) scan.text.assign(text);
      clear_parts();
      return value(Kind::string, true);
    }
    return value(Kind::string);
  }
  bool on_int64(std::int64_t, json::string_view, json::error_code&) { return value(Kind::other); }
  bool on_uint64(std::uint64_t, json::string_view, json::error_code&) { return value(Kind::other); }
  bool on_double(double, json::string_view, json::error_code&) { return value(Kind::other); }
  bool on_bool(bool, json::error_code&) { return value(Kind::other); }
  bool on_null(json::error_code&) { return value(Kind::null); }

 private:
  enum class Kind { null, string, object, array, other };
  enum class Member { other, id, model, error, usage, choices, delta, finish_reason, content, reasoning, tool_calls };

  // The strings kept: the chunk's id and model (when asked), and the delta's content.
  bool wants_text() const {
    if (depth_ == 1) return want_identity_ && (member_ == Member::id || member_ == Member::model);
    return depth_ == 4 && in_delta_ && delta_member_ == Member::content;
  }

  bool open(Kind kind) {
    value(kind);
    ++depth_;
    return true;
  }

  bool close() {
    --depth_;
    if (depth_ == 3) in_delta_ = false;
    if (depth_ == 2) in_first_choice_ = false;
    return true;
  }

  // A value, or a container opening, at the current depth. `kept` says a string's text
  // was stored already.
  bool value(Kind kind, bool kept = false) {
    if (depth_ == 0) {
      scan.valid = kind == Kind::object;
    } else if (depth_ == 1) {
      switch (member_) {
        case Member::id:
          if (!kept) scan.id.clear();
          break;
        case Member::model:
          if (!kept) scan.model.clear();
          break;
        case Member::error: error_object = kind == Kind::object; break;
        case Member::usage: usage_object = kind == Kind::object; break;
        case Member::choices:
          // A repeated "choices" starts over: only the last one's first choice counts.
          choices_ = kind == Kind::array;
          choice_count_ = 0;
          reset_choice();
          break;
        default: break;
      }
    } else if (depth_ == 2 && member_ == Member::choices && choices_) {
      in_first_choice_ = choice_count_++ == 0 && kind == Kind::object;
    } else if (depth_ == 3 && in_first_choice_) {
      if (choice_member_ == Member::delta) {
        reset_delta();
        in_delta_ = kind == Kind::object;
      } else if (choice_member_ == Member::finish_reason) {
        finish_reason = kind == Kind::string;
      }
    } else if (depth_ == 4 && in_delta_) {
      if (delta_member_ == Member::content && !kept) scan.text.clear();
      if (delta_member_ == Member::reasoning) reasoning = kind == Kind::string;
      if (delta_member_ == Member::tool_calls) tool_calls = kind == Kind::array;
    }
    return true;
  }

  void reset_choice() {
    finish_reason = false;
    reset_delta();
  }

  void reset_delta() {
    scan.text.clear();
    reasoning = false;
    tool_calls = false;
  }

  bool want_identity_;
  int depth_ = 0;
  Member member_ = Member::other;         // the chunk member being read
  Member choice_member_ = Member::other;  // ... within the first choice
  Member delta_member_ = Member::other;   // ... within its delta
  bool choices_ = false;                  // "choices" is an array
  std::size_t choice_count_ = 0;
  bool in_first_choice_ = false;
  bool in_delta_ = false;
};

}  // namespace

namespace {

ChunkScan finish(ChunkHandler& handler) {
  ChunkScan& scan = handler.scan;
  scan.needs_full_decode =
      handler.error_object || handler.usage_object || handler.finish_reason || handler.reasoning || handler.tool_calls;
  return std::move(scan);
}

}  // namespace

ChunkScan scan_chunk(std::string_view data, bool want_identity) {
  // Once per chunk: spelled out rather than through read_events, whose handler moves into
  // an optional cost as much as the scan of a short chunk.
  ChunkHandler handler(want_identity);
  json::error_code ec;
  if (!json_events::read_json(data, handler, ec)) return {};
  return finish(handler);
}

}  // namespace switchyard::openai
