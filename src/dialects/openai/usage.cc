#include "dialects/openai/usage.h"

#include "core/json_splice.h"
#include "core/json_fields.h"

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

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

Usage usage_from_response(std::string_view body) {
  // Metering every passthrough response: parse only the `usage` member, not the answer.
  auto span = json_splice::find_member(body, "usage");
  if (!span) return {};
  json::error_code ec;
  json::value usage = json::parse(body.substr(span->value_begin, span->value_end - span->value_begin), ec);
  return ec ? Usage{} : parse_usage(usage);
}

json::object usage_object(const Usage& usage) {
  return json::object{{"prompt_tokens", usage.input_tokens},
                      {"completion_tokens", usage.output_tokens},
                      {"total_tokens", usage.input_tokens + usage.output_tokens},
                      {"prompt_tokens_details", json::object{{"cached_tokens", usage.cache_read_tokens}}},
                      {"completion_tokens_details", json::object{{"reasoning_tokens", usage.reasoning_tokens}}}};
}

}  // namespace switchyard::openai
