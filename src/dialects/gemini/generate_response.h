// Gemini GenerateContentResponse bodies <-> the canonical Response, and Gemini usage.
#pragma once

#include <boost/json/object.hpp>
#include <string>
#include <string_view>

#include "core/canonical.h"
#include "core/json_writer.h"
#include "core/result.h"

namespace switchyard::gemini {

Result<canonical::Response> decode_generate_response(std::string_view body);
std::string encode_generate_response(const canonical::Response& response, std::string_view model);

// Gemini's candidatesTokenCount excludes thinking; canonical output includes it.
Usage parse_usage(const boost::json::object& usage_metadata);
void write_usage_metadata(JsonWriter& json, const Usage& usage);

canonical::StopReason stop_reason_from(std::string_view finish_reason, bool has_function_call);
std::string_view finish_reason_for(canonical::StopReason reason);

}  // namespace switchyard::gemini
