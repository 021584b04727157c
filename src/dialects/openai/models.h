// GET /v1/models in OpenAI's list shape.
#pragma once

#include <string>
#include <vector>

#include "dialects/codec.h"

namespace switchyard::openai {

std::string model_list_body(const std::vector<ModelListEntry>& models);

}  // namespace switchyard::openai
