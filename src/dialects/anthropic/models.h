// GET /v1/models in Anthropic's list shape (chosen when the request has anthropic-version).
#pragma once

#include <string>
#include <vector>

#include "dialects/codec.h"

namespace switchyard::anthropic {

std::string model_list_body(const std::vector<ModelListEntry>& models);

}  // namespace switchyard::anthropic
