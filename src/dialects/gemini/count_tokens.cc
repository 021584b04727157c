#include "dialects/gemini/count_tokens.h"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "core/json_parse.h"
#include "dialects/gemini/generate_request.h"

namespace switchyard::gemini {
namespace json = boost::json;

Result<canonical::Request> decode_count_request(std::string_view body, std::string_view path_model) {
  json_fields::ParsedJson document(body);
  json::error_code ec = document.error();
  json::value& parsed = document.root();
  if (ec || !parsed.is_object()) {
    return make_error(ErrorKind::invalid_request, "Invalid JSON payload received.", "INVALID_ARGUMENT");
  }
  // Only the generateContentRequest form counts the system instruction and tools.
  if (const json::value* inner = parsed.get_object().if_contains("generateContentRequest"); inner && inner->is_object()) {
    json::object request = inner->get_object();
    request.erase("model");
    return decode_generate_request(json::serialize(request), path_model, false);
  }
  return decode_generate_request(body, path_model, false);
}

Result<std::string> encode_count_request(const canonical::Request& request, const canonical::EncodeOptions& options) {
  canonical::Request counted = request;
  counted.sampling = {};
  counted.extensions = {};
  auto body = encode_generate_request(counted, options);
  if (!body) return body;
  json::object inner = json::parse(body.value()).get_object();
  inner["model"] = "models/" + options.upstream_model;
  return json::serialize(json::object{{"generateContentRequest", std::move(inner)}});
}

Result<std::int64_t> decode_count_response(std::string_view body) {
  json_fields::ParsedJson document(body);
  json::error_code ec = document.error();
  json::value& parsed = document.root();
  const json::value* tokens = !ec && parsed.is_object() ? parsed.get_object().if_contains("totalTokens") : nullptr;
  if (!tokens || !tokens->is_int64()) {
    return make_error(ErrorKind::upstream_protocol, "the upstream sent no totalTokens", "upstream_bad_response");
  }
  return tokens->get_int64();
}

std::string encode_count_response(std::int64_t input_tokens) {
  return json::serialize(json::object{{"totalTokens", input_tokens}});
}

}  // namespace switchyard::gemini
