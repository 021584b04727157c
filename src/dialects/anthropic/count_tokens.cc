#include "dialects/anthropic/count_tokens.h"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "core/json_parse.h"
#include "dialects/anthropic/messages_request.h"

namespace switchyard::anthropic {
namespace json = boost::json;

Result<canonical::Request> decode_count_request(std::string_view body, std::string_view) {
  json_fields::ParsedJson document(body);
  json::error_code ec = document.error();
  json::value& parsed = document.root();
  if (ec || !parsed.is_object()) {
    return make_error(ErrorKind::invalid_request, "request body is not a valid JSON object", "invalid_request");
  }
  // Counting takes no max_tokens; the Messages decoder requires one, so lend it one.
  parsed.get_object()["max_tokens"] = 1;
  return decode_messages_request(json::serialize(parsed));
}

Result<std::string> encode_count_request(const canonical::Request& request, const canonical::EncodeOptions& options) {
  canonical::Request counted = request;
  counted.stream = false;
  counted.sampling = {};
  counted.extensions = {};
  auto body = encode_messages_request(counted, options);
  if (!body) return body;
  json::value parsed = json::parse(body.value());
  parsed.get_object().erase("max_tokens");
  return json::serialize(parsed);
}

Result<std::int64_t> decode_count_response(std::string_view body) {
  json_fields::ParsedJson document(body);
  json::error_code ec = document.error();
  json::value& parsed = document.root();
  const json::value* tokens = !ec && parsed.is_object() ? parsed.get_object().if_contains("input_tokens") : nullptr;
  if (!tokens || !tokens->is_int64()) {
    return make_error(ErrorKind::upstream_protocol, "the upstream sent no input_tokens", "upstream_bad_response");
  }
  return tokens->get_int64();
}

std::string encode_count_response(std::int64_t input_tokens) {
  return json::serialize(json::object{{"input_tokens", input_tokens}});
}

}  // namespace switchyard::anthropic
