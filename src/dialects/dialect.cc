#include "dialects/dialect.h"

namespace switchyard {

std::string_view dialect_name(Dialect dialect) {
  switch (dialect) {
    case Dialect::openai_chat: return "openai";
    case Dialect::openai_responses: return "openai-responses";
    case Dialect::anthropic_messages: return "anthropic";
    case Dialect::gemini: return "gemini";
  }
  return "unknown";
}

}  // namespace switchyard
