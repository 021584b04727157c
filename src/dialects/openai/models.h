// GET /v1/models in OpenAI's list shape.
#pragma once

#include <string>
#include <vector>

namespace switchyard::openai {

struct ModelEntry {
  std::string id;
  std::string owned_by;
};

std::string model_list_body(const std::vector<ModelEntry>& models, long long created);

}  // namespace switchyard::openai
