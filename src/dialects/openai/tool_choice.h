// tool_choice as both OpenAI APIs spell it: "none", "auto", "required", or one function,
// named nested in Chat Completions ({type, function: {name}}) and flat in the Responses API
// ({type, name}).
#pragma once

#include <boost/json/value.hpp>

#include "core/canonical.h"
#include "core/json_fields.h"
#include "core/json_writer.h"

namespace switchyard::openai {

enum class FunctionNaming { nested, flat };

void decode_tool_choice(const boost::json::value& choice, json_fields::Reader& reader, canonical::ToolChoice& out,
                        FunctionNaming naming);

// Writes tool_choice (when set) and parallel_tool_calls (when set and there are tools).
void write_tool_choice(JsonWriter& out, const canonical::Request& request, FunctionNaming naming);

}  // namespace switchyard::openai
