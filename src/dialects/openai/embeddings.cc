#include "dialects/openai/embeddings.h"

#include <bit>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <cstring>

#include "core/base64.h"
#include "core/json_parse.h"

namespace switchyard::openai {
namespace json = boost::json;

static_assert(std::endian::native == std::endian::little, "base64 embeddings are little-endian float32");

namespace {

GatewayError invalid(std::string message, std::string param) {
  return make_error(ErrorKind::invalid_request, std::move(message), "invalid_request", std::move(param));
}

std::string pack(const std::vector<float>& values) {
  std::string bytes(values.size() * sizeof(float), '\0');
  std::memcpy(bytes.data(), values.data(), bytes.size());
  return base64_encode(bytes);
}

}  // namespace

Result<canonical::EmbeddingRequest> decode_embedding_request(std::string_view body, std::string_view) {
  json_fields::ParsedJson document(body);
  json::error_code ec = document.error();
  json::value& parsed = document.root();
  if (ec || !parsed.is_object()) return invalid("request body is not a JSON object", "");
  const json::object& root = parsed.get_object();
  canonical::EmbeddingRequest out;
  const json::value* model = root.if_contains("model");
  if (!model || !model->is_string() || model->get_string().empty()) return invalid("you must provide a model parameter", "model");
  out.model = std::string(model->get_string());
  const json::value* input = root.if_contains("input");
  if (input && input->is_string()) {
    out.inputs.emplace_back(input->get_string());
  } else if (input && input->is_array() && !input->get_array().empty()) {
    for (const json::value& item : input->get_array()) {
      if (!item.is_string()) return invalid("'input' must be a string or an array of strings for this model", "input");
      out.inputs.emplace_back(item.get_string());
    }
  } else {
    return invalid("'input' must be a non-empty string or array of strings", "input");
  }
  if (const json::value* format = root.if_contains("encoding_format"); format && format->is_string()) {
    if (format->get_string() != "float" && format->get_string() != "base64") {
      return invalid("'encoding_format' must be float or base64", "encoding_format");
    }
    out.base64 = format->get_string() == "base64";
  }
  if (const json::value* dimensions = root.if_contains("dimensions"); dimensions && dimensions->is_int64()) {
    out.dimensions = dimensions->get_int64();
  }
  return out;
}

Result<std::string> encode_embedding_request(const canonical::EmbeddingRequest& request, const canonical::EncodeOptions& options) {
  json::array inputs;
  for (const auto& text : request.inputs) inputs.emplace_back(text);
  json::object body{{"model", options.upstream_model}, {"input", std::move(inputs)}, {"encoding_format", "float"}};
  if (request.dimensions) body["dimensions"] = *request.dimensions;
  return json::serialize(body);
}

Result<canonical::EmbeddingResponse> decode_embedding_response(std::string_view body) {
  json_fields::ParsedJson document(body);
  json::error_code ec = document.error();
  json::value& parsed = document.root();
  const json::value* data = !ec && parsed.is_object() ? parsed.get_object().if_contains("data") : nullptr;
  if (!data || !data->is_array()) {
    return make_error(ErrorKind::upstream_protocol, "the upstream sent embeddings without data", "upstream_bad_response");
  }
  canonical::EmbeddingResponse out;
  for (const json::value& item : data->get_array()) {
    const json::value* embedding = item.is_object() ? item.get_object().if_contains("embedding") : nullptr;
    std::vector<float> values;
    if (embedding && embedding->is_array()) {
      for (const json::value& number : embedding->get_array()) values.push_back(static_cast<float>(number.to_number<double>()));
    } else if (embedding && embedding->is_string()) {
      auto bytes = base64_decode(embedding->get_string());
      if (bytes) {
        values.resize(bytes->size() / sizeof(float));
        std::memcpy(values.data(), bytes->data(), values.size() * sizeof(float));
      }
    }
    out.vectors.push_back(std::move(values));
  }
  if (const json::value* usage = parsed.get_object().if_contains("usage"); usage && usage->is_object()) {
    if (const json::value* prompt = usage->get_object().if_contains("prompt_tokens"); prompt && prompt->is_int64()) {
      out.usage.input_tokens = prompt->get_int64();
      out.usage.reported = true;
    }
  }
  return out;
}

std::string encode_embedding_response(const canonical::EmbeddingResponse& response, const canonical::EmbeddingRequest& request) {
  json::array data;
  for (std::size_t i = 0; i < response.vectors.size(); ++i) {
    json::value embedding;
    if (request.base64) {
      embedding = json::string(pack(response.vectors[i]));
    } else {
      json::array values;
      for (float value : response.vectors[i]) values.emplace_back(static_cast<double>(value));
      embedding = std::move(values);
    }
    data.push_back(json::object{{"object", "embedding"}, {"index", i}, {"embedding", std::move(embedding)}});
  }
  json::object body{{"object", "list"},
                    {"data", std::move(data)},
                    {"model", request.model},
                    {"usage", json::object{{"prompt_tokens", response.usage.input_tokens}, {"total_tokens", response.usage.input_tokens}}}};
  return json::serialize(body);
}

}  // namespace switchyard::openai
