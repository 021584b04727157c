// The Responses API's server-side conversations, as pure functions over its JSON: what a
// request refers to (previous_response_id, item_reference), the request with those resolved
// into plain input items, and what of an answer is kept for the next turn.
#pragma once

#include "dialects/codec.h"

namespace switchyard::openai {

extern const ConversationCodec kResponsesConversation;

}  // namespace switchyard::openai
