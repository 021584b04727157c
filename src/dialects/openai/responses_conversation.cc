#include "dialects/openai/responses_conversation.h"

#include <array>
#include <boost/json/serialize.hpp>

#include "core/json_fields.h"
#include "core/json_parse.h"
#include "core/json_splice.h"
#include "core/json_top_members.h"
#include "core/json_writer.h"
#include "core/request_id.h"

namespace switchyard::openai {
namespace json = boost::json;

namespace {

// A string input as the item it stands for.
json::value message_item(std::string_view text) {
  return json::object{{"type", "message"}, {"role", "user"}, {"content", text}};
}

Result<std::string> expand(std::string_view body, std::string_view previous,
                           const std::vector<std::pair<std::string, std::string>>& items) {
  json_fields::ParsedJson document(body);
  json::object* root = document.error() ? nullptr : document.root().if_object();
  if (!root) return make_error(ErrorKind::invalid_request, "request body is not a JSON object", "invalid_json");
  json::array expanded;
  if (!previous.empty()) {
    json::error_code ec;
    json::value earlier = json_fields::parse_document(previous, ec);
    if (!ec && earlier.is_array()) expanded = std::move(earlier.get_array());
    root->erase("previous_response_id");
  }
  if (const json::value* input = root->if_contains("input"); input && input->is_string()) {
    expanded.push_back(message_item(input->get_string()));
  } else if (input && input->is_array()) {
    for (const json::value& item : input->get_array()) {
      const json::object* fields = item.if_object();
      bool reference = fields && json_fields::string_or_empty(*fields, "type") == "item_reference";
      std::string id = reference ? json_fields::string_or_empty(*fields, "id") : std::string();
      auto found = std::find_if(items.begin(), items.end(), [&](const auto& entry) { return entry.first == id; });
      if (!reference || found == items.end()) {
        expanded.push_back(item);
        continue;
      }
      json::error_code ec;
      json::value resolved = json_fields::parse_document(found->second, ec);
      expanded.push_back(ec ? item : std::move(resolved));
    }
  }
  (*root)["input"] = std::move(expanded);
  return json::serialize(*root);
}

std::optional<KeptAnswer> keep(std::string_view request, std::string_view answer) {
  json_fields::ParsedJson answer_document(answer);
  json::object* response = answer_document.error() ? nullptr : answer_document.root().if_object();
  const json::value* output = response ? response->if_contains("output") : nullptr;
  if (!output || !output->is_array()) return std::nullopt;
  KeptAnswer kept;
  kept.id = json_fields::string_or_empty(*response, "id");
  if (kept.id.empty()) return std::nullopt;
  json::array conversation;
  json_fields::ParsedJson request_document(request);
  const json::object* root = request_document.error() ? nullptr : request_document.root().if_object();
  if (const json::value* input = root ? root->if_contains("input") : nullptr; input && input->is_string()) {
    conversation.push_back(message_item(input->get_string()));
  } else if (input && input->is_array()) {
    for (const json::value& item : input->get_array()) conversation.push_back(item);
  }
  // Input items get ids as on OpenAI, so a later item_reference can name them too.
  for (json::value& item : conversation) {
    json::object* fields = item.if_object();
    if (fields && !fields->contains("id")) (*fields)["id"] = "msg_" + new_request_id();
  }
  for (const json::value& item : output->get_array()) conversation.push_back(item);
  (*response)["store"] = true;
  kept.body = json::serialize(*response);
  kept.conversation = json::serialize(conversation);
  return kept;
}

// Newest first, as the API lists them; the output items of the response itself are not its input.
std::string input_items_body(const KeptAnswer& kept) {
  json::error_code ec;
  json::value conversation = json_fields::parse_document(kept.conversation, ec);
  json::value answer = json_fields::parse_document(kept.body, ec);
  std::size_t outputs = 0;
  if (const json::object* response = answer.if_object()) {
    if (const json::value* output = response->if_contains("output"); output && output->is_array()) {
      outputs = output->get_array().size();
    }
  }
  json::array data;
  if (conversation.is_array()) {
    const json::array& items = conversation.get_array();
    std::size_t inputs = items.size() >= outputs ? items.size() - outputs : 0;
    for (std::size_t i = inputs; i-- > 0;) data.push_back(items[i]);
  }
  auto id_of = [](const json::value& item) -> json::value {
    const json::object* fields = item.if_object();
    const json::value* id = fields ? fields->if_contains("id") : nullptr;
    return id && id->is_string() ? *id : json::value(nullptr);
  };
  json::value first = data.empty() ? json::value(nullptr) : id_of(data.front());
  json::value last = data.empty() ? json::value(nullptr) : id_of(data.back());
  return json::serialize(json::object{
      {"object", "list"}, {"data", std::move(data)}, {"first_id", first}, {"last_id", last}, {"has_more", false}});
}

// The top-level id, read without a DOM: answers relayed whole are metered the same way.
std::string answer_id(std::string_view answer) {
  auto span = json_splice::find_member(answer, "id");
  if (!span) return {};
  std::string_view value = answer.substr(span->value_begin, span->value_end - span->value_begin);
  // Response ids are plain ASCII; anything with an escape is not worth a route.
  if (value.size() < 2 || value.front() != '"' || value.find('\\') != std::string_view::npos) return {};
  return std::string(value.substr(1, value.size() - 2));
}

std::string deleted_body(std::string_view id) {
  std::string out;
  JsonWriter json(out);
  json.begin_object().member("id", id).member("object", "response").member("deleted", true).end_object();
  return out;
}

}  // namespace

const ConversationCodec kResponsesConversation{
    .expand = expand,
    .keep = keep,
    .answer_id = answer_id,
    .input_items_body = input_items_body,
    .deleted_body = deleted_body,
};

}  // namespace switchyard::openai
