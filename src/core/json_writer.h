// Writes JSON text straight into a string. The request encoders use it instead of building
// a boost::json tree and serializing it: a 10 KB conversation is a few hundred nodes, and
// allocating, walking and freeing them cost more than the translation itself.
//
// The writer places commas and colons; the caller says where objects and arrays begin and
// end, and must keep them balanced. Strings are escaped as Boost.JSON's serializer does
// (quote, backslash and control characters; UTF-8 passes through), numbers are formatted as
// it formats them, so the text is byte for byte what serializing the tree would give.
#pragma once

#include <boost/json/value.hpp>
#include <cstdint>
#include <string>
#include <string_view>

namespace switchyard {

// Appends `text` as a quoted, escaped JSON string.
void append_json_string(std::string& out, std::string_view text);

// `text` as a quoted, escaped JSON string.
inline std::string json_string(std::string_view text) {
  std::string out;
  append_json_string(out, text);
  return out;
}

// A member name the encoder spells itself. It is checked when compiled to need no escaping
// and to be short, so it is written as it is, in one piece with its comma and colon: most
// of a request's strings are such names.
struct JsonKey {
  static constexpr std::size_t kMaxSize = 60;

  template <std::size_t N>
  consteval JsonKey(const char (&literal)[N]) : name(literal, N - 1) {
    if (name.size() > kMaxSize) throw "a JSON key literal must be short";
    for (char c : name) {
      if (c == '"' || c == '\\' || static_cast<unsigned char>(c) < 0x20) throw "a JSON key literal must need no escaping";
    }
  }
  std::string_view name;
};

class JsonWriter {
 public:
  explicit JsonWriter(std::string& out) : out_(out) {}

  JsonWriter& begin_object() { return open('{'); }
  JsonWriter& end_object() { return close('}'); }
  JsonWriter& begin_array() { return open('['); }
  JsonWriter& end_array() { return close(']'); }
  // The next value is this member's.
  JsonWriter& key(JsonKey name);

  JsonWriter& string(std::string_view text);
  JsonWriter& integer(std::int64_t number);
  JsonWriter& number(double number);
  // `micros` / 1000 as a decimal number with up to three fraction digits ("12.345"): a time
  // in milliseconds to the microsecond, without a float's rounding or exponent.
  JsonWriter& millis(std::int64_t micros);
  JsonWriter& boolean(bool flag);
  JsonWriter& null();
  JsonWriter& value(const boost::json::value& json);

  // Shorthands for a member: key then value.
  JsonWriter& member(JsonKey name, std::string_view text) { return key(name).string(text); }
  JsonWriter& member(JsonKey name, const char* text) { return key(name).string(text); }
  JsonWriter& member(JsonKey name, std::int64_t number) { return key(name).integer(number); }
  JsonWriter& member(JsonKey name, double number) { return key(name).number(number); }
  JsonWriter& member(JsonKey name, bool flag) { return key(name).boolean(flag); }
  JsonWriter& member(JsonKey name, const boost::json::value& json) { return key(name).value(json); }

  // The text written so far. After a complete member, a run of further members spelled out as
  // text (",\"a\":1,\"b\":2") may be appended to it; the writer carries on after them.
  std::string& buffer() { return out_; }

 private:
  JsonWriter& open(char bracket);
  JsonWriter& close(char bracket);

  // A comma before every value but the first of its container and those after a key.
  void separate() {
    if (needs_comma_) out_ += ',';
    needs_comma_ = true;
  }

  std::string& out_;
  bool needs_comma_ = false;
};

}  // namespace switchyard
