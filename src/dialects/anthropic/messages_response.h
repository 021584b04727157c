// Anthropic Message bodies <-> the canonical Response, and Anthropic usage.
#pragma once

#include <boost/json/object.hpp>
#include <string>
#include <string_view>

#include "core/canonical.h"
#include "core/json_writer.h"
#include "core/result.h"

namespace switchyard::anthropic {

// A plain text message is read off the parser's events (scan_text_message), any other
// through decode_message_tree.
Result<canonical::Response> decode_message(std::string_view body);
// The reading of every message, from its DOM.
Result<canonical::Response> decode_message_tree(std::string_view body);
std::string encode_message(const canonical::Response& response, std::string_view model);

std::string_view stop_reason_name(canonical::StopReason reason);
canonical::StopReason stop_reason_from(std::string_view name);

// Anthropic's input_tokens excludes cache reads and writes; canonical input includes them.
Usage parse_usage(const boost::json::object& usage);
boost::json::object usage_object(const Usage& usage);
// The same members as usage_object, written as text.
void write_usage(JsonWriter& json, const Usage& usage);

}  // namespace switchyard::anthropic
