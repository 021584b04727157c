#include "dialects/openai/responses_request.h"

#include "dialects/openai/tool_choice.h"

#include <array>

#include "core/data_url.h"
#include "core/json_fields.h"
#include "core/json_parse.h"
#include "core/json_splice.h"
#include "core/json_top_members.h"
#include "core/json_writer.h"

namespace switchyard::openai {
namespace json = boost::json;
using json_fields::ParamPath;

namespace {

constexpr std::string_view kDialect = "openai-responses";

GatewayError invalid(std::string message, std::string param = {}, std::string code = "invalid_request") {
  return make_error(ErrorKind::invalid_request, std::move(message), std::move(code), std::move(param));
}

// Members this codec maps, or that the gateway itself answers for (store, metadata,
// include, stream_options); anything else goes to extensions.
constexpr std::string_view kKnownMembers[] = {
    "model", "input", "instructions", "tools", "tool_choice", "parallel_tool_calls", "text", "reasoning",
    "max_output_tokens", "temperature", "top_p", "user", "stream", "stream_options", "store", "metadata",
    "include", "previous_response_id", "background", "conversation"};

// Members other dialects cannot express, at the value that asks for nothing.
constexpr canonical::DocumentedDefault kDefaults[] = {
    {"truncation", "disabled"}, {"service_tier", "auto"}, {"top_logprobs", std::int64_t{0}}};

bool is_known_member(std::string_view key) {
  for (std::string_view known : kKnownMembers) {
    if (known == key) return true;
  }
  return false;
}

// The canonical conversation grows item by item: consecutive items of one role share a turn,
// as function_call items join the assistant message before them.
class Turns {
 public:
  explicit Turns(std::vector<canonical::Message>& messages) : messages_(messages) {}
  std::vector<canonical::Block>& of(canonical::Role role) {
    if (messages_.empty() || messages_.back().role != role || role == canonical::Role::system) {
      messages_.push_back(canonical::Message{role, {}});
    }
    return messages_.back().content;
  }

 private:
  std::vector<canonical::Message>& messages_;
};

void decode_image(const json::object& part, const ParamPath& at, json_fields::Reader& reader,
                  std::vector<canonical::Block>& out) {
  auto url = reader.string(part, "image_url", at);
  if (!url) {
    if (part.contains("file_id")) {
      reader.fail(at.member("file_id").str(), "input_image parts with a file_id can only be sent to OpenAI providers");
    } else {
      reader.fail(at.member("image_url").str(), "'" + at.member("image_url").str() + "' is required");
    }
    return;
  }
  if (auto data = parse_data_url(*url)) {
    out.push_back(canonical::ImageBlock{data->media_type, data->base64_data, {}});
  } else {
    out.push_back(canonical::ImageBlock{{}, {}, *url});
  }
}

// A file by data URL or by URL; a file_id names one only OpenAI holds.
void decode_file(const json::object& part, const ParamPath& at, json_fields::Reader& reader,
                 std::vector<canonical::Block>& out) {
  std::string filename = reader.string(part, "filename", at).value_or("");
  if (auto url = reader.string(part, "file_url", at)) {
    out.push_back(canonical::DocumentBlock{{}, {}, *url, std::move(filename)});
    return;
  }
  auto data_url = reader.string(part, "file_data", at);
  auto data = data_url ? parse_data_url(*data_url) : std::nullopt;
  if (!data) {
    reader.fail(at.member("file_data").str(), "'" + at.str() +
                                                  "' must carry file_data as a base64 data URL, or a file_url, to reach a "
                                                  "provider of another API (file_id names a file only OpenAI holds)");
    return;
  }
  out.push_back(canonical::DocumentBlock{data->media_type, data->base64_data, {}, std::move(filename)});
}

// A message's content: a string, or input_text / input_image parts (output_text and refusal
// in an assistant's history).
void decode_content(const json::value& content, const ParamPath& path, json_fields::Reader& reader,
                    std::vector<canonical::Block>& out) {
  if (content.is_string()) {
    if (!content.get_string().empty()) out.push_back(canonical::TextBlock{std::string(content.get_string())});
    return;
  }
  if (!content.is_array()) {
    reader.fail(path.str(), "'" + path.str() + "' must be a string or an array of content parts");
    return;
  }
  std::size_t i = 0;
  for (const json::value& part : content.get_array()) {
    const ParamPath at = path.index(i++);
    const json::object* fields = part.if_object();
    if (!fields) {
      reader.fail(at.str(), "'" + at.str() + "' must be an object");
      return;
    }
    std::string type = reader.string(*fields, "type", at).value_or("");
    if (type == "input_text" || type == "output_text" || type == "text") {
      out.push_back(canonical::TextBlock{reader.string(*fields, "text", at).value_or("")});
    } else if (type == "refusal") {
      out.push_back(canonical::TextBlock{reader.string(*fields, "refusal", at).value_or("")});
    } else if (type == "input_image") {
      decode_image(*fields, at, reader, out);
    } else if (type == "input_file") {
      decode_file(*fields, at, reader, out);
    } else {
      reader.fail(at.member("type").str(), "content parts of type '" + type + "' can only be sent to OpenAI providers");
      return;
    }
  }
}

void decode_message(const json::object& item, const ParamPath& at, json_fields::Reader& reader, Turns& turns) {
  std::string role = reader.string(item, "role", at).value_or("");
  const json::value* content = item.if_contains("content");
  canonical::Role target;
  if (role == "user") {
    target = canonical::Role::user;
  } else if (role == "assistant") {
    target = canonical::Role::assistant;
  } else if (role == "system" || role == "developer") {
    target = canonical::Role::system;
  } else {
    reader.fail(at.member("role").str(), "unsupported role '" + role + "' in " + at.str());
    return;
  }
  std::vector<canonical::Block> blocks;
  if (content && !content->is_null()) decode_content(*content, at.member("content"), reader, blocks);
  if (target == canonical::Role::system) {
    // A system turn is one text.
    std::string text;
    for (const auto& block : blocks) {
      if (auto* piece = std::get_if<canonical::TextBlock>(&block)) text += piece->text;
      else reader.fail(at.member("content").str(), "'" + at.str() + "' may only hold text");
    }
    turns.of(target).push_back(canonical::TextBlock{std::move(text)});
    return;
  }
  auto& into = turns.of(target);
  for (auto& block : blocks) into.push_back(std::move(block));
}

void decode_function_call_output(const json::object& item, const ParamPath& at, json_fields::Reader& reader,
                                 Turns& turns) {
  canonical::ToolResultBlock result;
  result.tool_call_id = reader.string(item, "call_id", at).value_or("");
  if (result.tool_call_id.empty()) reader.fail(at.member("call_id").str(), "'" + at.str() + ".call_id' is required");
  const json::value* output = item.if_contains("output");
  if (output && output->is_string()) {
    result.content.push_back(canonical::TextBlock{std::string(output->get_string())});
  } else if (output && output->is_array()) {
    std::vector<canonical::Block> parts;
    decode_content(*output, at.member("output"), reader, parts);
    for (auto& part : parts) {
      if (auto* text = std::get_if<canonical::TextBlock>(&part)) result.content.push_back(std::move(*text));
      else if (auto* image = std::get_if<canonical::ImageBlock>(&part)) result.content.push_back(std::move(*image));
    }
  } else {
    reader.fail(at.member("output").str(), "'" + at.str() + ".output' must be a string or an array of content parts");
  }
  turns.of(canonical::Role::user).push_back(std::move(result));
}

void decode_reasoning(const json::object& item, const ParamPath& at, json_fields::Reader& reader, Turns& turns) {
  canonical::ThinkingBlock thinking;
  if (const json::array* summary = reader.array(item, "summary", at)) {
    for (const json::value& part : *summary) {
      const json::object* fields = part.if_object();
      if (fields) thinking.text += json_fields::string_or_empty(*fields, "text");
    }
  }
  thinking.signature = reader.string(item, "encrypted_content", at).value_or("");
  turns.of(canonical::Role::assistant).push_back(std::move(thinking));
}

void decode_input(const json::value& input, json_fields::Reader& reader, canonical::Request& out) {
  Turns turns(out.messages);
  if (input.is_string()) {
    turns.of(canonical::Role::user).push_back(canonical::TextBlock{std::string(input.get_string())});
    return;
  }
  const ParamPath input_path("input");
  std::size_t i = 0;
  for (const json::value& value : input.get_array()) {
    const ParamPath at = input_path.index(i++);
    const json::object* item = value.if_object();
    if (!item) {
      reader.fail(at.str(), "'" + at.str() + "' must be an object");
      return;
    }
    std::string type = reader.string(*item, "type", at).value_or("message");
    if (type == "message") {
      decode_message(*item, at, reader, turns);
    } else if (type == "function_call") {
      canonical::ToolCallBlock call;
      call.id = reader.string(*item, "call_id", at).value_or("");
      call.name = reader.string(*item, "name", at).value_or("");
      call.arguments = reader.string(*item, "arguments", at).value_or("{}");
      if (call.arguments.empty()) call.arguments = "{}";
      turns.of(canonical::Role::assistant).push_back(std::move(call));
    } else if (type == "function_call_output") {
      decode_function_call_output(*item, at, reader, turns);
    } else if (type == "reasoning") {
      decode_reasoning(*item, at, reader, turns);
    } else if (type == "item_reference") {
      reader.fail(at.str(), "'item_reference' inputs need a response stored by this gateway or by OpenAI");
    } else {
      reader.fail(at.member("type").str(), "input items of type '" + type + "' can only be sent to OpenAI providers");
    }
    if (!reader.ok()) return;
  }
}

void decode_tools(const json::array& tools, json_fields::Reader& reader, canonical::Request& out) {
  const ParamPath tools_path("tools");
  std::size_t i = 0;
  for (const json::value& tool : tools) {
    const ParamPath at = tools_path.index(i++);
    const json::object* fields = tool.if_object();
    auto type = fields ? reader.string(*fields, "type", at) : std::nullopt;
    if (type != "function") {
      reader.fail(at.str(), "only function tools can be sent to a provider reached through another API (" + at.str() +
                                " is '" + type.value_or("") + "')");
      return;
    }
    canonical::Tool decoded;
    decoded.name = reader.string(*fields, "name", at).value_or("");
    decoded.description = reader.string(*fields, "description", at).value_or("");
    if (const json::value* parameters = fields->if_contains("parameters")) decoded.parameters = *parameters;
    out.tools.push_back(std::move(decoded));
  }
}

void decode_text(const json::object& text, json_fields::Reader& reader, canonical::Request& out) {
  using Kind = canonical::ResponseFormat::Kind;
  if (const json::object* format = reader.object(text, "format", "text")) {
    std::string type = reader.string(*format, "type", "text.format").value_or("");
    canonical::ResponseFormat& target = out.response_format;
    if (type == "text") {
      target.kind = Kind::text;
    } else if (type == "json_object") {
      target.kind = Kind::json_object;
    } else if (type == "json_schema") {
      target.kind = Kind::json_schema;
      target.name = reader.string(*format, "name", "text.format").value_or("response");
      target.description = reader.string(*format, "description", "text.format").value_or("");
      if (const json::value* schema = format->if_contains("schema")) target.schema = *schema;
      target.strict = reader.boolean(*format, "strict", "text.format");
    } else {
      reader.fail("text.format.type", "'text.format.type' must be text, json_object or json_schema");
    }
  }
  if (const json::value* verbosity = text.if_contains("verbosity")) {
    canonical::keep_extension(out.extensions, "text.verbosity", *verbosity,
                              std::array{canonical::DocumentedDefault{"text.verbosity", "medium"}});
  }
}

void write_content_parts(JsonWriter& out, const std::vector<canonical::Block>& blocks, bool assistant) {
  out.begin_array();
  for (const auto& block : blocks) {
    if (auto* text = std::get_if<canonical::TextBlock>(&block)) {
      out.begin_object().member("type", assistant ? "output_text" : "input_text").member("text", text->text);
      out.end_object();
    } else if (auto* image = std::get_if<canonical::ImageBlock>(&block)) {
      out.begin_object().member("type", "input_image");
      out.member("image_url", image->url.empty() ? make_data_url(image->media_type, image->data) : image->url);
      out.end_object();
    } else if (auto* document = std::get_if<canonical::DocumentBlock>(&block)) {
      out.begin_object().member("type", "input_file");
      if (!document->filename.empty()) out.member("filename", document->filename);
      if (!document->url.empty()) {
        out.member("file_url", document->url);
      } else {
        out.member("file_data", make_data_url(document->media_type, document->data));
      }
      out.end_object();
    }
  }
  out.end_array();
}

bool has_content_part(const std::vector<canonical::Block>& blocks) {
  for (const auto& block : blocks) {
    if (std::holds_alternative<canonical::TextBlock>(block) || std::holds_alternative<canonical::ImageBlock>(block) ||
        std::holds_alternative<canonical::DocumentBlock>(block)) {
      return true;
    }
  }
  return false;
}

// One canonical turn as input items, in order: its text and images as a message, its tool
// calls and results as function_call / function_call_output items.
bool write_turn(JsonWriter& out, const canonical::Message& message, canonical::Unsupported& unsupported) {
  if (message.role == canonical::Role::system) {
    std::string text;
    for (const auto& block : message.content) {
      if (auto* piece = std::get_if<canonical::TextBlock>(&block)) text += piece->text;
    }
    out.begin_object().member("role", "developer").member("content", text).end_object();
    return true;
  }
  bool assistant = message.role == canonical::Role::assistant;
  if (has_content_part(message.content)) {
    out.begin_object().member("type", "message").member("role", assistant ? "assistant" : "user").key("content");
    write_content_parts(out, message.content, assistant);
    out.end_object();
  }
  for (const auto& block : message.content) {
    if (auto* call = std::get_if<canonical::ToolCallBlock>(&block)) {
      out.begin_object().member("type", "function_call").member("call_id", call->id).member("name", call->name);
      out.member("arguments", call->arguments).end_object();
    } else if (auto* result = std::get_if<canonical::ToolResultBlock>(&block)) {
      std::string text;
      for (const auto& part : result->content) {
        if (auto* piece = std::get_if<canonical::TextBlock>(&part)) text += piece->text;
        else if (!unsupported.note("tool_result.image", kDialect)) return false;
      }
      if (result->is_error && text.empty()) text = "error";
      out.begin_object().member("type", "function_call_output").member("call_id", result->tool_call_id);
      out.member("output", text).end_object();
    }
    // Another vendor's thinking cannot be replayed to OpenAI; its own comes back as reasoning
    // items only through previous_response_id, which the passthrough carries.
  }
  return true;
}

// The ids of the item_reference inputs.
std::vector<std::string> referenced_items(std::string_view body) {
  std::vector<std::string> ids;
  json_fields::ParsedJson document(body);
  const json::object* root = document.error() ? nullptr : document.root().if_object();
  const json::value* input = root ? root->if_contains("input") : nullptr;
  if (!input || !input->is_array()) return ids;
  for (const json::value& item : input->get_array()) {
    const json::object* fields = item.if_object();
    if (fields && json_fields::string_or_empty(*fields, "type") == "item_reference") {
      std::string id = json_fields::string_or_empty(*fields, "id");
      if (!id.empty()) ids.push_back(std::move(id));
    }
  }
  return ids;
}

}  // namespace

Result<RequestView> inspect_responses_request(std::string_view body) {
  std::array<json_events::TopMember, 9> members{{{"model"}, {"input"}, {"stream"}, {"background"}, {"conversation"},
                                                 {"previous_response_id"}, {"store"}, {"user"}, {"max_output_tokens"}}};
  auto& [model, input, stream, background, conversation, previous, store, user, max_output_tokens] = members;
  using Kind = json_events::TopMember::Kind;
  if (!json_events::read_top_members(body, members)) {
    return invalid("We could not parse the JSON body of your request: expected a JSON object.", {}, "invalid_json");
  }
  if (model.kind != Kind::string || model.text.empty()) {
    return invalid("Missing required parameter: 'model'.", "model", "missing_required_parameter");
  }
  if (model.occurrences > 1) return invalid("The body names 'model' more than once.", "model", "duplicate_member");
  if (input.kind != Kind::string && input.kind != Kind::array) {
    return invalid(input.kind == Kind::absent ? "Missing required parameter: 'input'."
                                              : "Invalid type for 'input': expected a string or an array of input items.",
                   "input", input.kind == Kind::absent ? "missing_required_parameter" : "invalid_type");
  }
  if (stream.kind != Kind::absent && stream.kind != Kind::null && stream.kind != Kind::boolean) {
    return invalid("Invalid type for 'stream': expected a boolean.", "stream", "invalid_type");
  }
  // Not built: refused by name rather than answered as if they had been honoured.
  if (background.kind == Kind::boolean && background.flag) {
    return invalid("'background' responses are not supported by this gateway; send the request without it.",
                   "background", "unsupported_parameter");
  }
  if (conversation.kind != Kind::absent && conversation.kind != Kind::null) {
    return invalid("'conversation' objects are not supported by this gateway; use previous_response_id instead.",
                   "conversation", "unsupported_parameter");
  }
  RequestView view;
  view.model = std::move(model.text);
  view.stream = stream.kind == Kind::boolean && stream.flag;
  view.include_usage = true;  // a Responses stream always ends with its usage
  if (user.kind == Kind::string) view.user = std::move(user.text);
  view.max_output_tokens = max_output_tokens.integer;
  if (previous.kind == Kind::string) view.conversation.previous_id = std::move(previous.text);
  view.conversation.store = !(store.kind == Kind::boolean && !store.flag);  // kept unless store: false
  // Item references are rare: the input is only read for them when the body names one.
  if (input.kind == Kind::array && body.find("item_reference") != std::string_view::npos) {
    view.conversation.item_ids = referenced_items(body);
  }
  return view;
}

std::string responses_passthrough_body(std::string_view body, const RequestView&, std::string_view upstream_model) {
  return json_splice::set_member(body, "model", json_string(upstream_model));
}

Result<canonical::Request> decode_responses_request(std::string_view body) {
  json_fields::ParsedJson document(body);
  json::value& parsed = document.root();
  if (document.error() || !parsed.is_object()) {
    return invalid("We could not parse the JSON body of your request: expected a JSON object.", {}, "invalid_json");
  }
  const json::object& root = parsed.get_object();
  json_fields::Reader reader;
  canonical::Request out;
  out.model = reader.string(root, "model", "").value_or("");
  if (auto instructions = reader.string(root, "instructions", ""); instructions && !instructions->empty()) {
    out.messages.push_back(canonical::Message{canonical::Role::system, {canonical::TextBlock{*instructions}}});
  }
  if (const json::value* input = root.if_contains("input"); input && (input->is_string() || input->is_array())) {
    decode_input(*input, reader, out);
  } else if (reader.ok()) {
    reader.fail("input", "'input' must be a string or an array of input items");
  }
  if (const json::array* tools = reader.array(root, "tools", "")) decode_tools(*tools, reader, out);
  if (const json::value* choice = root.if_contains("tool_choice"); choice && !choice->is_null()) {
    decode_tool_choice(*choice, reader, out.tool_choice, FunctionNaming::flat);
  }
  out.tool_choice.parallel = reader.boolean(root, "parallel_tool_calls", "");
  if (const json::object* text = reader.object(root, "text", "")) decode_text(*text, reader, out);
  if (const json::object* reasoning = reader.object(root, "reasoning", "")) {
    if (auto effort = reader.string(*reasoning, "effort", "reasoning")) {
      out.thinking.enabled = *effort != "none" && *effort != "minimal";
      out.thinking.effort = *effort;
    }
    // A summary asks to see the reasoning: as reasoning items, from an upstream that shows it.
    auto summary = reader.string(*reasoning, "summary", "reasoning");
    out.thinking.show = out.thinking.enabled && summary && *summary != "none";
  }
  canonical::Sampling& sampling = out.sampling;
  sampling.max_tokens = reader.integer(root, "max_output_tokens", "");
  sampling.temperature = reader.number(root, "temperature", "");
  sampling.top_p = reader.number(root, "top_p", "");
  out.user = reader.string(root, "user", "").value_or("");
  out.stream = reader.boolean(root, "stream", "").value_or(false);
  out.include_usage = true;
  for (const auto& member : root) {
    if (!is_known_member(member.key())) canonical::keep_extension(out.extensions, member.key(), member.value(), kDefaults);
  }
  if (auto previous = reader.string(root, "previous_response_id", ""); previous && reader.ok()) {
    // Not kept by this gateway, and the deployment keeps no conversations of its own.
    return make_error(ErrorKind::invalid_request, "Previous response with id '" + *previous + "' not found.",
                      "previous_response_not_found", "previous_response_id");
  }
  if (!reader.ok()) return *reader.error();
  if (out.messages.empty()) return invalid("'input' must hold at least one message", "input");
  return out;
}

Result<std::string> encode_responses_request(const canonical::Request& request, const canonical::EncodeOptions& options) {
  canonical::Unsupported unsupported(options);
  std::string body;
  JsonWriter out(body);
  out.begin_object().member("model", options.upstream_model);
  out.key("input").begin_array();
  for (const canonical::Message& message : request.messages) {
    if (!write_turn(out, message, unsupported)) return *unsupported.error();
  }
  out.end_array();

  if (!request.tools.empty()) {
    out.key("tools").begin_array();
    for (const canonical::Tool& tool : request.tools) {
      out.begin_object().member("type", "function").member("name", tool.name);
      if (!tool.description.empty()) out.member("description", tool.description);
      out.member("parameters", tool.parameters.is_null() ? json::value(json::object{{"type", "object"}}) : tool.parameters);
      // Chat-completions tools are not strict unless they say so; Responses ones are by default.
      out.member("strict", false);
      out.end_object();
    }
    out.end_array();
  }
  write_tool_choice(out, request, FunctionNaming::flat);

  using Kind = canonical::ResponseFormat::Kind;
  const canonical::ResponseFormat& format = request.response_format;
  if (format.kind != Kind::text) {
    out.key("text").begin_object().key("format").begin_object();
    if (format.kind == Kind::json_object) {
      out.member("type", "json_object");
    } else {
      out.member("type", "json_schema").member("name", format.name).member("schema", format.schema);
      if (!format.description.empty()) out.member("description", format.description);
      if (format.strict) out.member("strict", *format.strict);
    }
    out.end_object().end_object();
  }

  const canonical::Sampling& sampling = request.sampling;
  if (sampling.temperature) out.member("temperature", *sampling.temperature);
  if (sampling.top_p) out.member("top_p", *sampling.top_p);
  if (sampling.max_tokens) out.member("max_output_tokens", *sampling.max_tokens);
  if (sampling.top_k && !unsupported.note("top_k", kDialect)) return *unsupported.error();
  if (sampling.seed && !unsupported.note("seed", kDialect)) return *unsupported.error();
  if (sampling.candidate_count && *sampling.candidate_count != 1 && !unsupported.note("n", kDialect)) {
    return *unsupported.error();
  }
  // A penalty of 0 is the default: it asks for nothing.
  if (sampling.presence_penalty.value_or(0) != 0 && !unsupported.note("presence_penalty", kDialect)) {
    return *unsupported.error();
  }
  if (sampling.frequency_penalty.value_or(0) != 0 && !unsupported.note("frequency_penalty", kDialect)) {
    return *unsupported.error();
  }
  if (!sampling.stop.empty() && !unsupported.note("stop", kDialect)) return *unsupported.error();
  if (!request.user.empty()) out.member("user", request.user);
  if (request.thinking.enabled) {
    if (!request.thinking.effort.empty()) {
      out.key("reasoning").begin_object().member("effort", request.thinking.effort);
      if (request.thinking.show) out.member("summary", "auto");
      out.end_object();
    } else if (!unsupported.note("thinking.budget_tokens", kDialect)) {
      return *unsupported.error();
    }
  }
  for (const auto& extension : request.extensions) {
    if (!unsupported.note(extension.key(), kDialect)) return *unsupported.error();
  }
  out.member("store", false);
  if (request.stream) out.member("stream", true);
  out.end_object();
  return body;
}

}  // namespace switchyard::openai
