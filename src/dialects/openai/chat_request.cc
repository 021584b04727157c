#include "dialects/openai/chat_request.h"

#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <cstdint>
#include <optional>

#include "core/json_events.h"
#include "core/json_parse.h"
#include "core/json_reader.h"
#include "core/json_splice.h"
#include "core/json_writer.h"

namespace switchyard::openai {
namespace json = boost::json;

namespace {

GatewayError invalid(std::string message, std::string param = {}, std::string code = "invalid_request") {
  return make_error(ErrorKind::invalid_request, std::move(message), std::move(code), std::move(param));
}

// What inspect_chat_request checks, read off the parser's events instead of a DOM (which
// cost three times the parse on every passthrough request). Each member is kept as the last
// occurrence of its key left it, since the last of repeated keys wins in the DOMs that
// upstreams build. Depth counts the containers open: the body's object is depth 1, the
// messages array depth 2, a message depth 3.
class RequestInspector : public json_events::IgnoringHandler {
 public:
  enum class Kind { absent, null, boolean, number, string, object, array };

  bool top_is_object = false;
  Kind model = Kind::absent;
  std::string model_name;
  std::size_t model_occurrences = 0;
  std::optional<std::int64_t> max_tokens;             // the cap the client states, if a whole number
  std::optional<std::int64_t> max_completion_tokens;  // more than one is refused: routing and upstream could differ
  Kind messages = Kind::absent;
  std::size_t message_count = 0;
  std::optional<std::size_t> bad_message;  // the first that is not an object with a string role
  Kind models = Kind::absent;
  bool models_all_strings = true;
  std::vector<std::string> model_names;
  Kind stream = Kind::absent;
  bool stream_value = false;
  Kind stream_options = Kind::absent;
  bool include_usage = false;
  std::string user;
  const char* body = nullptr;  // the text being parsed, to place the model's value in it
  std::size_t body_size = 0;
  json_splice::ValueSpan model_span;

  bool on_object_begin(json::error_code&) { return open(Kind::object); }
  bool on_object_end(std::size_t, json::error_code&) {
    if (--depth_ == 2 && top_ == Top::messages && messages == Kind::array && role_ != Kind::string && !bad_message) {
      bad_message = message_count - 1;
    }
    return true;
  }
  bool on_array_begin(json::error_code&) { return open(Kind::array); }
  bool on_array_end(std::size_t, json::error_code&) {
    --depth_;
    return true;
  }
  bool on_key(json::string_view last, std::size_t, json::error_code&) {
    if (depth_ > 3) return true;
    std::string_view key = last;
    if (depth_ == 1) {
      if (key == "model") ++model_occurrences;
      top_ = key == "model"            ? Top::model
             : key == "messages"       ? Top::messages
             : key == "models"         ? Top::models
             : key == "stream"         ? Top::stream
             : key == "stream_options" ? Top::stream_options
             : key == "user"           ? Top::user
             : key == "max_tokens"     ? Top::max_tokens
             : key == "max_completion_tokens" ? Top::max_completion_tokens
                                       : Top::other;
    } else if (depth_ == 2) {
      include_usage_next_ = top_ == Top::stream_options && key == "include_usage";
    } else {
      role_next_ = key == "role";
    }
    return true;
  }
  bool on_string(json::string_view last, std::size_t, json::error_code&) {
    if (depth_ <= 2) {
      value(Kind::string, std::string_view(last));
      if (depth_ == 1 && top_ == Top::model) model_span = span_in_body(last);
    } else {
      value(Kind::string);
    }
    return true;
  }
  bool on_int64(std::int64_t number, json::string_view, json::error_code&) {
    if (depth_ == 1 && top_ == Top::max_tokens) max_tokens = number;
    if (depth_ == 1 && top_ == Top::max_completion_tokens) max_completion_tokens = number;
    return value(Kind::number);
  }
  bool on_uint64(std::uint64_t, json::string_view, json::error_code&) {
    forget_cap();
    return value(Kind::number);
  }
  bool on_double(double, json::string_view, json::error_code&) {
    forget_cap();
    return value(Kind::number);
  }
  // A cap that is not a whole number the gateway can hold: the upstream judges it.
  void forget_cap() {
    if (depth_ == 1 && top_ == Top::max_tokens) max_tokens.reset();
    if (depth_ == 1 && top_ == Top::max_completion_tokens) max_completion_tokens.reset();
  }
  bool on_bool(bool flag, json::error_code&) { return value(Kind::boolean, {}, flag); }
  bool on_null(json::error_code&) { return value(Kind::null); }

 private:
  enum class Top { other, model, messages, models, stream, stream_options, user, max_tokens, max_completion_tokens };

  // The quoted string `text` as it lies in the body, or nothing. The parser hands over a
  // string in one piece pointing into its input only when it holds no escapes; anything
  // else (its own buffer, the tail after an escape) fails the checks, and the passthrough
  // then looks for the member itself.
  json_splice::ValueSpan span_in_body(json::string_view text) const {
    // As addresses: the text may lie in the reader's own buffer, another object.
    auto at = reinterpret_cast<std::uintptr_t>(text.data());
    auto start = reinterpret_cast<std::uintptr_t>(body);
    if (!body || at <= start || at - start > body_size) return {};
    std::size_t begin = static_cast<std::size_t>(at - start) - 1;
    std::size_t end = begin + text.size() + 2;
    if (end > body_size || body[begin] != '"' || body[end - 1] != '"') return {};
    std::size_t before = begin;
    while (before > 0 && (body[before - 1] == ' ' || body[before - 1] == '\t' || body[before - 1] == '\n' ||
                          body[before - 1] == '\r')) {
      --before;
    }
    if (before == 0 || body[before - 1] != ':') return {};
    return {begin, end};
  }

  bool open(Kind kind) {
    value(kind);
    ++depth_;
    return true;
  }

  // A value (or a container opening) at the current depth.
  bool value(Kind kind, std::string_view text = {}, bool flag = false) {
    if (depth_ == 0) {
      top_is_object = kind == Kind::object;
    } else if (depth_ == 1) {
      member_value(kind, text, flag);
    } else if (depth_ == 2) {
      if (top_ == Top::messages && messages == Kind::array) {
        ++message_count;
        role_ = Kind::absent;
        if (kind != Kind::object && !bad_message) bad_message = message_count - 1;
      } else if (top_ == Top::models && models == Kind::array) {
        if (kind == Kind::string) {
          model_names.emplace_back(text);
        } else {
          models_all_strings = false;
        }
      } else if (top_ == Top::stream_options && include_usage_next_ && stream_options == Kind::object) {
        include_usage = kind == Kind::boolean && flag;
        include_usage_next_ = false;
      }
    } else if (depth_ == 3 && role_next_ && top_ == Top::messages) {
      role_ = kind;
      role_next_ = false;
    }
    return true;
  }

  // The value of one of the body's own members; a repeated key starts that member over.
  void member_value(Kind kind, std::string_view text, bool flag) {
    switch (top_) {
      case Top::model:
        model = kind;
        model_name = text;
        model_span = {};
        break;
      case Top::messages:
        messages = kind;
        message_count = 0;
        bad_message.reset();
        break;
      case Top::models:
        models = kind;
        models_all_strings = true;
        model_names.clear();
        break;
      case Top::stream:
        stream = kind;
        stream_value = flag;
        break;
      case Top::stream_options:
        stream_options = kind;
        include_usage = false;
        break;
      case Top::user:
        user = kind == Kind::string ? std::string(text) : std::string();
        break;
      case Top::max_tokens:
        if (kind != Kind::number) max_tokens.reset();  // a whole number set it just before
        break;
      case Top::max_completion_tokens:
        if (kind != Kind::number) max_completion_tokens.reset();
        break;
      case Top::other:
        break;
    }
  }

  int depth_ = 0;
  Top top_ = Top::other;             // the body member whose value is being read
  bool include_usage_next_ = false;  // the next value at depth 2 is stream_options.include_usage
  bool role_next_ = false;           // the next value at depth 3 is a message's role
  Kind role_ = Kind::absent;         // the current message's role, as last given
};

bool present(RequestInspector::Kind kind) {
  return kind != RequestInspector::Kind::absent && kind != RequestInspector::Kind::null;
}

}  // namespace

Result<ChatRequestView> inspect_chat_request(std::string_view body) {
  using Kind = RequestInspector::Kind;
  RequestInspector seen;
  seen.body = body.data();
  seen.body_size = body.size();
  json::error_code ec;
  if (!json_events::read_json(body, seen, ec)) return invalid("request body is not valid JSON: " + ec.message(), {}, "invalid_json");
  if (!seen.top_is_object) return invalid("request body must be a JSON object", {}, "invalid_json");

  ChatRequestView view;
  if (seen.model == Kind::absent) return invalid("you must provide a model parameter", "model", "missing_required_parameter");
  if (seen.model != Kind::string || seen.model_name.empty()) {
    return invalid("'model' must be a non-empty string", "model", "invalid_type");
  }
  if (seen.model_occurrences > 1) return invalid("the body names 'model' more than once", "model", "duplicate_member");
  view.model = std::move(seen.model_name);
  view.model_span = seen.model_span;

  if (seen.messages == Kind::absent) {
    return invalid("'messages' is a required property", "messages", "missing_required_parameter");
  }
  if (seen.messages != Kind::array || seen.message_count == 0) {
    return invalid("'messages' must be a non-empty array", "messages", "invalid_type");
  }
  if (seen.bad_message) {
    std::string param = "messages[" + std::to_string(*seen.bad_message) + "]";
    return invalid("each message must be an object with a string 'role' (" + param + ")", param, "invalid_type");
  }
  if (present(seen.models)) {
    if (seen.models != Kind::array || !seen.models_all_strings) {
      return invalid("'models' must be an array of model names", "models", "invalid_type");
    }
    view.fallback_models = std::move(seen.model_names);
  }
  if (present(seen.stream)) {
    if (seen.stream != Kind::boolean) return invalid("'stream' must be a boolean", "stream", "invalid_type");
    view.stream = seen.stream_value;
  }
  if (present(seen.stream_options)) {
    if (seen.stream_options != Kind::object) {
      return invalid("'stream_options' must be an object", "stream_options", "invalid_type");
    }
    view.include_usage = seen.include_usage;
  }
  view.user = std::move(seen.user);
  view.max_output_tokens = seen.max_completion_tokens ? seen.max_completion_tokens : seen.max_tokens;
  return view;
}

std::string passthrough_body(std::string_view body, const PassthroughEdits& edits, std::string_view upstream_model) {
  std::string model = json_string(upstream_model);
  std::string out = edits.model.known() ? json_splice::replace_value(body, edits.model, model)
                                        : json_splice::set_member(body, "model", model);
  // OpenRouter's fallback list is for the gateway; other upstreams reject the field.
  if (edits.drop_models) out = json_splice::remove_member(out, "models");
  if (!edits.ask_stream_usage) return out;

  json::object options;
  if (auto span = json_splice::find_member(out, "stream_options")) {
    json::error_code ec;
    json::value existing =
        json_fields::parse_document(std::string_view(out).substr(span->value_begin, span->value_end - span->value_begin), ec);
    if (!ec && existing.is_object()) options = std::move(existing.get_object());
  }
  options["include_usage"] = true;
  return json_splice::set_member(out, "stream_options", json::serialize(options));
}

}  // namespace switchyard::openai
