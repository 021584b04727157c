#include "dialects/openai/completion_scan.h"

#include <cstdint>

#include "core/json_reader.h"
#include "core/json_events.h"
#include "dialects/openai/chat_response.h"

namespace switchyard::openai {
namespace json = boost::json;

namespace {

enum class Scope { root, choices, choice, message, usage, prompt_details, completion_details };

// The members read, by the scope they are in; `other` is any member the reading ignores.
enum class Member : unsigned {
  other, id, model, choices, usage,                           // root
  message, finish_reason,                                     // the first choice
  content, refusal, reasoning_content, tool_calls,            // its message
  prompt_tokens, completion_tokens, prompt_details, completion_details,  // usage
  cached_tokens, reasoning_tokens,                            // usage's details
};

Member member_named(Scope scope, std::string_view key) {
  switch (scope) {
    case Scope::root:
      if (key == "id") return Member::id;
      if (key == "model") return Member::model;
      if (key == "choices") return Member::choices;
      if (key == "usage") return Member::usage;
      break;
    case Scope::choice:
      if (key == "message") return Member::message;
      if (key == "finish_reason") return Member::finish_reason;
      break;
    case Scope::message:
      if (key == "content") return Member::content;
      if (key == "refusal") return Member::refusal;
      if (key == "reasoning_content") return Member::reasoning_content;
      if (key == "tool_calls") return Member::tool_calls;
      break;
    case Scope::usage:
      if (key == "prompt_tokens") return Member::prompt_tokens;
      if (key == "completion_tokens") return Member::completion_tokens;
      if (key == "prompt_tokens_details") return Member::prompt_details;
      if (key == "completion_tokens_details") return Member::completion_details;
      break;
    case Scope::prompt_details:
      if (key == "cached_tokens") return Member::cached_tokens;
      break;
    case Scope::completion_details:
      if (key == "reasoning_tokens") return Member::reasoning_tokens;
      break;
    case Scope::choices: break;
  }
  return Member::other;
}

class CompletionHandler : public json_events::ScopedScan<Scope, Member> {
 public:
  canonical::Response response;
  std::string reasoning, content, refusal, finish_reason;
  bool has_refusal = false;
  bool saw_choice = false;  // choices[0] was an object
  bool saw_usage = false;
  std::int64_t prompt_tokens = 0, completion_tokens = 0, cached_tokens = 0, reasoning_tokens = 0;

  bool on_object_begin(json::error_code& ec) {
    if (in_skipped()) return skip();
    if (depth() == 0) return enter(Scope::root, ec);
    if (scope() == Scope::choices) {
      if (choice_count_++ > 0) return skip();  // only the first choice is read
      saw_choice = true;
      return enter(Scope::choice, ec);
    }
    switch (member_) {
      case Member::usage: saw_usage = true; return enter(Scope::usage, ec);
      case Member::message: return enter(Scope::message, ec);
      case Member::prompt_details: return enter(Scope::prompt_details, ec);
      case Member::completion_details: return enter(Scope::completion_details, ec);
      case Member::other: return skip();
      default: return give_up(ec);
    }
  }
  bool on_array_begin(json::error_code& ec) {
    if (in_skipped()) return skip();
    if (depth() == 0) return give_up(ec);
    if (scope() == Scope::choices) return choice_count_++ > 0 ? skip() : give_up(ec);
    if (member_ == Member::choices) return enter(Scope::choices, ec);
    return member_ == Member::other ? skip() : give_up(ec);
  }
  bool on_object_end(std::size_t, json::error_code&) { return leave(); }
  bool on_array_end(std::size_t, json::error_code&) { return leave(); }

  bool on_key(json::string_view last, std::size_t, json::error_code& ec) {
    if (in_skipped()) return true;
    member_ = member_named(scope(), std::string_view(last));
    return first_read(seen_, member_) || give_up(ec);
  }

  bool on_string(json::string_view last, std::size_t, json::error_code& ec) {
    if (in_skipped()) return true;
    std::string_view text = last;
    bool taken = true;
    switch (value_member()) {
      case Member::id: response.id.assign(text); break;
      case Member::model: response.model.assign(text); break;
      case Member::finish_reason: finish_reason.assign(text); break;
      case Member::content: content.assign(text); break;
      case Member::reasoning_content: reasoning.assign(text); break;
      case Member::refusal:
        refusal.assign(text);
        has_refusal = true;
        break;
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
  // null reads as absent everywhere but where the answer's choices must be.
  bool on_null(json::error_code& ec) {
    if (in_skipped()) return true;
    Member member = value_member();
    return (member != Member::choices && member != Member::usage) || give_up(ec);
  }

 private:
  // The member a scalar value at this point belongs to: in `choices` the first element is
  // the choice itself (a scalar there is no choice), later ones are ignored.
  Member value_member() {
    if (depth() > 0 && scope() == Scope::choices) return choice_count_++ == 0 ? Member::choices : Member::other;
    return member_;
  }
  bool ignorable(json::error_code& ec) { return in_skipped() || value_member() == Member::other || give_up(ec); }
  bool count(std::int64_t value, json::error_code& ec) {
    if (in_skipped()) return true;
    switch (value_member()) {
      case Member::prompt_tokens: prompt_tokens = value; return true;
      case Member::completion_tokens: completion_tokens = value; return true;
      case Member::cached_tokens: cached_tokens = value; return true;
      case Member::reasoning_tokens: reasoning_tokens = value; return true;
      case Member::other: return true;
      default: return give_up(ec);
    }
  }
  std::uint32_t seen_ = 0;  // members read so far; each scope's names are distinct
  int choice_count_ = 0;
};

}  // namespace

std::optional<canonical::Response> scan_text_completion(std::string_view body) {
  json::error_code ec;
  auto read = json_events::read_events(body, ec, [] { return CompletionHandler{}; });
  if (!read) return std::nullopt;
  CompletionHandler& handler = *read;
  if (!handler.saw_choice) return std::nullopt;
  canonical::Response response = std::move(handler.response);
  if (!handler.reasoning.empty()) response.content.push_back(canonical::ThinkingBlock{std::move(handler.reasoning), {}, {}});
  if (!handler.content.empty()) response.content.push_back(canonical::TextBlock{std::move(handler.content)});
  if (handler.has_refusal) response.content.push_back(canonical::TextBlock{std::move(handler.refusal)});
  response.stop_reason = stop_reason_from(handler.finish_reason);
  if (handler.saw_usage) {
    response.usage.reported = true;
    response.usage.input_tokens = handler.prompt_tokens;
    response.usage.output_tokens = handler.completion_tokens;
    response.usage.cache_read_tokens = handler.cached_tokens;
    response.usage.reasoning_tokens = handler.reasoning_tokens;
  }
  return response;
}

}  // namespace switchyard::openai
