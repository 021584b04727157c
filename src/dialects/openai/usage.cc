#include "dialects/openai/usage.h"

#include <boost/json/value.hpp>

#include "core/json_events.h"
#include "core/json_fields.h"
#include "core/json_reader.h"
#include "core/json_splice.h"

namespace switchyard::openai {
namespace json = boost::json;

namespace {

std::int64_t nested_count(const json::object& object, std::string_view parent, std::string_view key) {
  const json::value* value = object.if_contains(parent);
  if (!value || !value->is_object()) return 0;
  return json_fields::int_or_zero(value->get_object(), key);
}

}  // namespace

Usage parse_usage(const json::value& usage) {
  Usage out;
  const json::object* object = usage.if_object();
  if (!object) return out;
  out.reported = true;
  out.input_tokens = json_fields::int_or_zero(*object, "prompt_tokens");
  out.output_tokens = json_fields::int_or_zero(*object, "completion_tokens");
  out.cache_read_tokens = nested_count(*object, "prompt_tokens_details", "cached_tokens");
  out.reasoning_tokens = nested_count(*object, "completion_tokens_details", "reasoning_tokens");
  return out;
}

namespace {

// The member names of a usage object: Chat Completions' or the Responses API's.
struct UsageKeys {
  std::string_view input, output, input_details, output_details;
};
constexpr UsageKeys kChatKeys{"prompt_tokens", "completion_tokens", "prompt_tokens_details", "completion_tokens_details"};
constexpr UsageKeys kResponsesKeys{"input_tokens", "output_tokens", "input_tokens_details", "output_tokens_details"};

// Reads the counts straight off the parser's events. Metering runs on every passthrough
// response, and building a DOM of the usage object cost more than finding it.
class UsageScanner : public json_events::IgnoringHandler {
 public:
  explicit UsageScanner(const UsageKeys& keys = kChatKeys) : keys_(keys) {}
  Usage usage;

  bool on_object_begin(json::error_code&) { return open(true); }
  bool on_object_end(std::size_t, json::error_code&) { return close(); }
  bool on_array_begin(json::error_code&) { return open(false); }
  bool on_array_end(std::size_t, json::error_code&) { return close(); }
  bool on_key(json::string_view last, std::size_t, json::error_code&) {
    std::string_view key = last;
    field_ = Field::other;
    if (depth_ == 1) {
      section_ = key == keys_.input_details    ? Section::prompt_details
                 : key == keys_.output_details ? Section::completion_details
                                               : Section::other;
      if (key == keys_.input) field_ = Field::input;
      if (key == keys_.output) field_ = Field::output;
    } else if (depth_ == 2) {
      if (section_ == Section::prompt_details && key == "cached_tokens") field_ = Field::cache_read;
      if (section_ == Section::prompt_details && key == "cache_write_tokens") field_ = Field::cache_write;
      if (section_ == Section::completion_details && key == "reasoning_tokens") field_ = Field::reasoning;
    }
    return true;
  }
  bool on_int64(std::int64_t value, json::string_view, json::error_code&) { return count(value); }
  bool on_uint64(std::uint64_t value, json::string_view, json::error_code&) {
    return count(static_cast<std::int64_t>(value));
  }

 private:
  bool open(bool is_object) {
    if (depth_ == 0) usage.reported = is_object;
    ++depth_;
    field_ = Field::other;  // a count is a number, never a container
    return true;
  }
  bool close() {
    --depth_;
    return true;
  }
  bool count(std::int64_t value) {
    switch (field_) {
      case Field::input: usage.input_tokens = value; break;
      case Field::output: usage.output_tokens = value; break;
      case Field::cache_read: usage.cache_read_tokens = value; break;
      case Field::cache_write: usage.cache_write_tokens = value; break;
      case Field::reasoning: usage.reasoning_tokens = value; break;
      case Field::other: break;
    }
    field_ = Field::other;
    return true;
  }

  enum class Section { other, prompt_details, completion_details };
  enum class Field { other, input, output, cache_read, cache_write, reasoning };
  const UsageKeys& keys_;
  int depth_ = 0;
  Section section_ = Section::other;  // the usage object's member we are in
  Field field_ = Field::other;         // what the next number is
};

}  // namespace

Usage usage_from_response(std::string_view body) {
  // Metering every passthrough response: find the `usage` member, not the answer. It comes
  // after the choices, so it is looked for from the end.
  auto span = json_splice::find_last_member(body, "usage");
  if (!span) return {};
  return usage_from_text(body.substr(span->value_begin, span->value_end - span->value_begin));
}

namespace {

// See read_compact_usage. Its reading is UsageScanner's, on the subset it takes.
class CompactUsageReader {
 public:
  explicit CompactUsageReader(std::string_view text) : p_(text.data()), end_(text.data() + text.size()) {}

  bool read(Usage& usage) {
    if (!object(1, Section::other, usage) || p_ != end_) return false;
    usage.reported = true;
    return true;
  }

 private:
  enum class Section { other, prompt_details, completion_details };

  bool take(char c) {
    if (p_ == end_ || *p_ != c) return false;
    ++p_;
    return true;
  }

  // An object at `depth` (1: the usage object, 2: a member's) whose members are integers
  // or, at depth 1, objects of integers.
  bool object(int depth, Section section, Usage& usage) {
    if (!take('{')) return false;
    if (take('}')) return true;
    do {
      if (!take('"')) return false;
      const char* close = json_events::plain_string_end(p_, end_);
      if (!close) return false;
      std::string_view key(p_, static_cast<std::size_t>(close - p_));
      p_ = close + 1;
      if (!take(':') || p_ == end_) return false;
      if (*p_ == '{') {
        if (depth == 2) return false;
        Section inner = key == "prompt_tokens_details"       ? Section::prompt_details
                        : key == "completion_tokens_details" ? Section::completion_details
                                                             : Section::other;
        if (!object(2, inner, usage)) return false;
        continue;
      }
      std::int64_t value = 0;
      if (!integer(value)) return false;
      if (std::int64_t* count = count_for(depth, section, key, usage)) *count = value;
    } while (take(','));
    return take('}');
  }

  static std::int64_t* count_for(int depth, Section section, std::string_view key, Usage& usage) {
    if (depth == 1) {
      if (key == "prompt_tokens") return &usage.input_tokens;
      if (key == "completion_tokens") return &usage.output_tokens;
    } else if (section == Section::prompt_details && key == "cached_tokens") {
      return &usage.cache_read_tokens;
    } else if (section == Section::completion_details && key == "reasoning_tokens") {
      return &usage.reasoning_tokens;
    }
    return nullptr;
  }

  // A JSON integer of at most 18 digits; a 19th digit, a fraction or an exponent after it
  // fails where the object wants ',' or '}'.
  bool integer(std::int64_t& value) {
    bool negative = take('-');
    const char* digits = p_;
    std::int64_t magnitude = 0;
    while (p_ != end_ && *p_ >= '0' && *p_ <= '9' && p_ - digits < 18) magnitude = magnitude * 10 + (*p_++ - '0');
    std::ptrdiff_t count = p_ - digits;
    if (count == 0 || (*digits == '0' && count > 1)) return false;  // JSON has no leading zeros
    value = negative ? -magnitude : magnitude;
    return true;
  }

  const char* p_;
  const char* end_;
};

}  // namespace

std::optional<Usage> read_compact_usage(std::string_view usage) {
  Usage out;
  if (!CompactUsageReader(usage).read(out)) return std::nullopt;
  return out;
}

Usage usage_from_text(std::string_view usage) {
  if (auto compact = read_compact_usage(usage)) return *compact;
  json::error_code ec;
  auto scanner = json_events::read_events(usage, ec, [] { return UsageScanner{}; });
  return scanner ? scanner->usage : Usage{};
}

Usage usage_from_responses_text(std::string_view usage) {
  json::error_code ec;
  auto scanner = json_events::read_events(usage, ec, [] { return UsageScanner{kResponsesKeys}; });
  return scanner ? scanner->usage : Usage{};
}

void write_usage(JsonWriter& json, const Usage& usage) {
  json.begin_object()
      .member("prompt_tokens", usage.input_tokens)
      .member("completion_tokens", usage.output_tokens)
      .member("total_tokens", usage.input_tokens + usage.output_tokens);
  json.key("prompt_tokens_details").begin_object().member("cached_tokens", usage.cache_read_tokens).end_object();
  json.key("completion_tokens_details").begin_object().member("reasoning_tokens", usage.reasoning_tokens).end_object();
  json.end_object();
}

}  // namespace switchyard::openai
