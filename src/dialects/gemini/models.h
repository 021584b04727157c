// GET /v1beta/models in Gemini's list shape.
#pragma once

#include <string>
#include <vector>

#include "dialects/codec.h"

namespace switchyard::gemini {

std::string model_list_body(const std::vector<ModelListEntry>& models);

}  // namespace switchyard::gemini
