#include "core/token_estimate.h"

#include <boost/json/serialize.hpp>

namespace switchyard {
namespace {

constexpr std::int64_t kCharsPerToken = 4;
constexpr std::int64_t kTokensPerImage = 1000;
constexpr std::int64_t kTokensPerMessage = 4;  // role and framing

std::int64_t text_tokens(std::size_t chars) {
  return (static_cast<std::int64_t>(chars) + kCharsPerToken - 1) / kCharsPerToken;
}

}  // namespace

std::int64_t estimate_input_tokens(const canonical::Request& request) {
  std::int64_t tokens = 0;
  for (const auto& message : request.messages) {
    tokens += kTokensPerMessage;
    for (const auto& block : message.content) {
      if (auto* text = std::get_if<canonical::TextBlock>(&block)) tokens += text_tokens(text->text.size());
      if (std::holds_alternative<canonical::ImageBlock>(block)) tokens += kTokensPerImage;
      if (auto* call = std::get_if<canonical::ToolCallBlock>(&block)) {
        tokens += text_tokens(call->name.size() + call->arguments.size());
      }
      if (auto* result = std::get_if<canonical::ToolResultBlock>(&block)) {
        for (const auto& part : result->content) {
          if (auto* text = std::get_if<canonical::TextBlock>(&part)) tokens += text_tokens(text->text.size());
          else tokens += kTokensPerImage;
        }
      }
      if (auto* thinking = std::get_if<canonical::ThinkingBlock>(&block)) tokens += text_tokens(thinking->text.size());
    }
  }
  for (const auto& tool : request.tools) {
    tokens += text_tokens(tool.name.size() + tool.description.size() + boost::json::serialize(tool.parameters).size());
  }
  return tokens;
}

}  // namespace switchyard
