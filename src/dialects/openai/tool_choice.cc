#include "dialects/openai/tool_choice.h"

namespace switchyard::openai {
namespace json = boost::json;

void decode_tool_choice(const json::value& choice, json_fields::Reader& reader, canonical::ToolChoice& out,
                        FunctionNaming naming) {
  using Mode = canonical::ToolChoice::Mode;
  if (choice.is_string()) {
    std::string_view mode = choice.get_string();
    if (mode == "auto") out.mode = Mode::automatic;
    else if (mode == "none") out.mode = Mode::none;
    else if (mode == "required") out.mode = Mode::required;
    else reader.fail("tool_choice", "'tool_choice' must be none, auto, required or a function");
    return;
  }
  const json::object* fields = choice.if_object();
  std::optional<std::string> name;
  if (naming == FunctionNaming::nested) {
    const json::object* function = fields ? reader.object(*fields, "function", "tool_choice") : nullptr;
    name = function ? reader.string(*function, "name", "tool_choice.function") : std::nullopt;
  } else if (fields && reader.string(*fields, "type", "tool_choice") == "function") {
    name = reader.string(*fields, "name", "tool_choice");
  }
  if (!name) {
    reader.fail("tool_choice", naming == FunctionNaming::nested
                                   ? "'tool_choice' must be none, auto, required or {type: function, function: {name}}"
                                   : "'tool_choice' must be none, auto, required or {type: function, name}");
    return;
  }
  out.mode = Mode::specific;
  out.name = *name;
}

void write_tool_choice(JsonWriter& out, const canonical::Request& request, FunctionNaming naming) {
  using Mode = canonical::ToolChoice::Mode;
  switch (request.tool_choice.mode) {
    case Mode::unset: break;
    case Mode::automatic: out.member("tool_choice", "auto"); break;
    case Mode::none: out.member("tool_choice", "none"); break;
    case Mode::required: out.member("tool_choice", "required"); break;
    case Mode::specific:
      out.key("tool_choice").begin_object().member("type", "function");
      if (naming == FunctionNaming::nested) {
        out.key("function").begin_object().member("name", request.tool_choice.name).end_object();
      } else {
        out.member("name", request.tool_choice.name);
      }
      out.end_object();
      break;
  }
  if (request.tool_choice.parallel && !request.tools.empty()) out.member("parallel_tool_calls", *request.tool_choice.parallel);
}

}  // namespace switchyard::openai
