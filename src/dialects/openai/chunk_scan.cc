#include "dialects/openai/chunk_scan.h"

#include <cstring>

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
  bool on_key(json::string_view last, std::size_t, json::error_code&) {
    if (depth_ > 4) return true;
    std::string_view key = last;
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
    return true;
  }
  bool on_string(json::string_view last, std::size_t, json::error_code&) {
    if (wants_text()) {
      std::string_view text = last;
      if (depth_ == 1) (member_ == Member::id ? scan.id : scan.model).assign(text);
      if (depth_ == 4) scan.text.assign(text);
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

// See read_text_chunk.
class TextChunkReader {
 public:
  explicit TextChunkReader(std::string_view data) : p_(data.data()), end_(data.data() + data.size()) {}

  bool read(std::string& text) {
    if (!take('{')) return false;
    bool choices = false;
    do {
      std::string_view key;
      if (!plain_string(key) || !take(':')) return false;
      if (key == "choices") {
        // A repeated one of this form replaces the text, as the last key does in a DOM.
        if (!choices_with_text(text)) return false;
        choices = true;
      } else if (!plain_value()) {
        return false;
      }
    } while (take(','));
    return choices && take('}') && p_ == end_;
  }

 private:
  bool take(char c) {
    if (p_ == end_ || *p_ != c) return false;
    ++p_;
    return true;
  }
  bool take(std::string_view word) {
    if (static_cast<std::size_t>(end_ - p_) < word.size() || std::memcmp(p_, word.data(), word.size()) != 0) return false;
    p_ += word.size();
    return true;
  }

  bool plain_string(std::string_view& text) {
    if (!take('"')) return false;
    const char* close = json_events::plain_string_end(p_, end_);
    if (!close) return false;
    text = std::string_view(p_, static_cast<std::size_t>(close - p_));
    p_ = close + 1;
    return true;
  }

  bool plain_value() {
    if (p_ == end_) return false;
    if (*p_ == '"') {
      std::string_view ignored;
      return plain_string(ignored);
    }
    if (take("null") || take("true") || take("false")) return true;
    // An integer; a fraction or exponent after it fails where read() wants ',' or '}'.
    take('-');
    const char* digits = p_;
    while (p_ != end_ && *p_ >= '0' && *p_ <= '9') ++p_;
    return p_ != digits && (*digits != '0' || p_ - digits == 1);  // JSON has no leading zeros
  }

  // After "choices": the one choice of a text delta. The text may hold escapes and UTF-8:
  // its string token is read with the JSON reader, which also checks it.
  bool choices_with_text(std::string& text) {
    if (!take(R"([{"index":0,"delta":{"content":")")) return false;
    const char* open = p_ - 1;
    p_ = json_events::closing_quote(p_, end_);
    if (p_ == end_) return false;
    ++p_;
    if (!read_string_token(std::string_view(open, static_cast<std::size_t>(p_ - open)), text)) return false;
    return take(R"(},"logprobs":null,"finish_reason":null}])");
  }

  static bool read_string_token(std::string_view token, std::string& text) {
    struct StringHandler : json_events::IgnoringHandler {
      std::string* out = nullptr;
      bool on_string(string_view value, std::size_t, error_code&) {
        out->assign(value.data(), value.size());
        return true;
      }
    } handler;
    handler.out = &text;
    json::error_code ec;
    return json_events::read_json(token, handler, ec);
  }

  const char* p_;
  const char* end_;
};

}  // namespace

bool read_text_chunk(std::string_view data, std::string& text) { return TextChunkReader(data).read(text); }

ChunkScan scan_chunk(std::string_view data, bool want_identity) {
  if (ChunkScan scan; !want_identity && read_text_chunk(data, scan.text)) {
    scan.valid = true;
    return scan;
  }
  // Once per chunk: spelled out rather than through read_events, whose handler moves into
  // an optional cost as much as the scan of a short chunk.
  ChunkHandler handler(want_identity);
  json::error_code ec;
  if (!json_events::read_json(data, handler, ec)) return {};
  return finish(handler);
}

}  // namespace switchyard::openai
