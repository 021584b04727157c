#include "dialects/gemini/embeddings.h"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "core/json_parse.h"

namespace switchyard::gemini {
namespace json = boost::json;

namespace {

GatewayError invalid(std::string message) {
  return make_error(ErrorKind::invalid_request, std::move(message), "INVALID_ARGUMENT");
}

// The text of a Content's parts, joined.
std::optional<std::string> content_text(const json::value* content) {
  const json::value* parts = content && content->is_object() ? content->get_object().if_contains("parts") : nullptr;
  if (!parts || !parts->is_array()) return std::nullopt;
  std::string text;
  for (const json::value& part : parts->get_array()) {
    const json::value* piece = part.is_object() ? part.get_object().if_contains("text") : nullptr;
    if (!piece || !piece->is_string()) return std::nullopt;
    text.append(piece->get_string());
  }
  return text;
}

std::vector<float> values_of(const json::value* embedding) {
  std::vector<float> out;
  const json::value* values = embedding && embedding->is_object() ? embedding->get_object().if_contains("values") : nullptr;
  if (values && values->is_array()) {
    for (const json::value& number : values->get_array()) out.push_back(static_cast<float>(number.to_number<double>()));
  }
  return out;
}

json::object embedding_object(const std::vector<float>& vector) {
  json::array values;
  for (float value : vector) values.emplace_back(static_cast<double>(value));
  return json::object{{"values", std::move(values)}};
}

}  // namespace

Result<canonical::EmbeddingRequest> decode_embedding_request(std::string_view body, std::string_view path_model, bool single) {
  json_fields::ParsedJson document(body);
  json::error_code ec = document.error();
  json::value& parsed = document.root();
  if (ec || !parsed.is_object()) return invalid("Invalid JSON payload received.");
  const json::object& root = parsed.get_object();
  canonical::EmbeddingRequest out;
  out.model = std::string(path_model);
  out.single = single;
  auto read_one = [&](const json::object& request) -> Status {
    auto text = content_text(request.if_contains("content"));
    if (!text) return invalid("* EmbedContentRequest.content: only text parts can be embedded through this gateway");
    out.inputs.push_back(std::move(*text));
    if (const json::value* dimensions = request.if_contains("outputDimensionality"); dimensions && dimensions->is_int64()) {
      out.dimensions = dimensions->get_int64();
    }
    return Done{};
  };
  if (single) {
    if (auto status = read_one(root); !status) return status.take_error();
    return out;
  }
  const json::value* requests = root.if_contains("requests");
  if (!requests || !requests->is_array() || requests->get_array().empty()) {
    return invalid("* BatchEmbedContentsRequest.requests: requests is not specified");
  }
  for (const json::value& request : requests->get_array()) {
    if (!request.is_object()) return invalid("* BatchEmbedContentsRequest.requests: each request must be an object");
    if (auto status = read_one(request.get_object()); !status) return status.take_error();
  }
  return out;
}

Result<std::string> encode_embedding_request(const canonical::EmbeddingRequest& request, const canonical::EncodeOptions& options) {
  json::array requests;
  for (const auto& text : request.inputs) {
    json::object item{{"model", "models/" + options.upstream_model},
                      {"content", json::object{{"parts", json::array{json::object{{"text", text}}}}}}};
    if (request.dimensions) item["outputDimensionality"] = *request.dimensions;
    requests.push_back(std::move(item));
  }
  return json::serialize(json::object{{"requests", std::move(requests)}});
}

Result<canonical::EmbeddingResponse> decode_embedding_response(std::string_view body) {
  json_fields::ParsedJson document(body);
  json::error_code ec = document.error();
  json::value& parsed = document.root();
  if (ec || !parsed.is_object()) {
    return make_error(ErrorKind::upstream_protocol, "the upstream sent unreadable embeddings", "upstream_bad_response");
  }
  const json::object& root = parsed.get_object();
  canonical::EmbeddingResponse out;
  if (const json::value* embeddings = root.if_contains("embeddings"); embeddings && embeddings->is_array()) {
    for (const json::value& embedding : embeddings->get_array()) out.vectors.push_back(values_of(&embedding));
  } else if (const json::value* embedding = root.if_contains("embedding")) {
    out.vectors.push_back(values_of(embedding));
  } else {
    return make_error(ErrorKind::upstream_protocol, "the upstream sent no embeddings", "upstream_bad_response");
  }
  return out;
}

std::string encode_embedding_response(const canonical::EmbeddingResponse& response, const canonical::EmbeddingRequest& request) {
  if (request.single) {
    return json::serialize(json::object{
        {"embedding", response.vectors.empty() ? json::object{{"values", json::array{}}} : embedding_object(response.vectors[0])}});
  }
  json::array embeddings;
  for (const auto& vector : response.vectors) embeddings.push_back(embedding_object(vector));
  return json::serialize(json::object{{"embeddings", std::move(embeddings)}});
}

}  // namespace switchyard::gemini
