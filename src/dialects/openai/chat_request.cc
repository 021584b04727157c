#include "dialects/openai/chat_request.h"

#include <boost/json/monotonic_resource.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include "core/json_splice.h"
#include "core/json_writer.h"

namespace switchyard::openai {
namespace json = boost::json;

namespace {

GatewayError invalid(std::string message, std::string param = {}, std::string code = "invalid_request") {
  return make_error(ErrorKind::invalid_request, std::move(message), std::move(code), std::move(param));
}

}  // namespace

Result<ChatRequestView> inspect_chat_request(std::string_view body) {
  // This runs on every passthrough request: parse into a stack buffer, not the heap.
  unsigned char scratch[16 * 1024];
  json::monotonic_resource memory(scratch, sizeof scratch);
  json::error_code ec;
  json::value parsed = json::parse(body, ec, &memory);
  if (ec) return invalid("request body is not valid JSON: " + ec.message(), {}, "invalid_json");
  const json::object* object = parsed.if_object();
  if (!object) return invalid("request body must be a JSON object", {}, "invalid_json");

  ChatRequestView view;
  const json::value* model = object->if_contains("model");
  if (!model) return invalid("you must provide a model parameter", "model", "missing_required_parameter");
  if (!model->is_string() || model->get_string().empty()) {
    return invalid("'model' must be a non-empty string", "model", "invalid_type");
  }
  view.model = std::string(model->get_string());

  const json::value* messages = object->if_contains("messages");
  if (!messages) return invalid("'messages' is a required property", "messages", "missing_required_parameter");
  if (!messages->is_array() || messages->get_array().empty()) {
    return invalid("'messages' must be a non-empty array", "messages", "invalid_type");
  }
  std::size_t index = 0;
  for (const json::value& message : messages->get_array()) {
    const json::object* fields = message.if_object();
    const json::value* role = fields ? fields->if_contains("role") : nullptr;
    if (!role || !role->is_string()) {
      std::string param = "messages[" + std::to_string(index) + "]";
      return invalid("each message must be an object with a string 'role' (" + param + ")", param, "invalid_type");
    }
    ++index;
  }

  if (const json::value* models = object->if_contains("models"); models && !models->is_null()) {
    if (!models->is_array()) return invalid("'models' must be an array of model names", "models", "invalid_type");
    for (const json::value& name : models->get_array()) {
      if (!name.is_string()) return invalid("'models' must be an array of model names", "models", "invalid_type");
      view.fallback_models.emplace_back(name.get_string());
    }
  }
  if (const json::value* stream = object->if_contains("stream"); stream && !stream->is_null()) {
    if (!stream->is_bool()) return invalid("'stream' must be a boolean", "stream", "invalid_type");
    view.stream = stream->get_bool();
  }
  if (const json::value* options = object->if_contains("stream_options"); options && !options->is_null()) {
    if (!options->is_object()) return invalid("'stream_options' must be an object", "stream_options", "invalid_type");
    if (const json::value* include = options->get_object().if_contains("include_usage"); include && include->is_bool()) {
      view.include_usage = include->get_bool();
    }
  }
  return view;
}

std::string passthrough_body(std::string_view body, const ChatRequestView& request, std::string_view upstream_model) {
  std::string out = json_splice::set_member(body, "model", json_string(upstream_model));
  // OpenRouter's fallback list is for the gateway; other upstreams reject the field.
  if (!request.fallback_models.empty()) out = json_splice::remove_member(out, "models");
  if (!request.stream || request.include_usage) return out;

  json::object options;
  if (auto span = json_splice::find_member(out, "stream_options")) {
    json::error_code ec;
    json::value existing =
        json::parse(std::string_view(out).substr(span->value_begin, span->value_end - span->value_begin), ec);
    if (!ec && existing.is_object()) options = std::move(existing.get_object());
  }
  options["include_usage"] = true;
  return json_splice::set_member(out, "stream_options", json::serialize(options));
}

}  // namespace switchyard::openai
