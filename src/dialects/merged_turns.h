// Writes a conversation's turns for the wire formats whose roles must alternate (Anthropic,
// Gemini): consecutive turns of one role become one, so tool results answering parallel
// calls (separate OpenAI tool messages) land in the single user turn those APIs require.
#pragma once

#include <string_view>

#include "core/json_writer.h"

namespace switchyard {

class MergedTurns {
 public:
  // `items` names a turn's array: "content" (Anthropic) or "parts" (Gemini).
  MergedTurns(JsonWriter& out, JsonKey items) : out_(out), items_(items) {}

  // Continues the open turn when it has `role`; otherwise closes it and opens one.
  void enter(std::string_view role) {
    if (role == role_) return;
    if (!role_.empty()) out_.end_array().end_object();
    out_.begin_object().member("role", role).key(items_).begin_array();
    role_ = role;
  }

  // Closes the last turn; role() still names it.
  void finish() {
    if (!role_.empty()) out_.end_array().end_object();
  }

  // The role of the last turn, empty when there was none.
  std::string_view role() const { return role_; }

 private:
  JsonWriter& out_;
  JsonKey items_;
  std::string_view role_;
};

}  // namespace switchyard
