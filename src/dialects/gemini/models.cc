#include "dialects/gemini/models.h"

#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

namespace switchyard::gemini {
namespace json = boost::json;

std::string model_list_body(const std::vector<ModelListEntry>& models) {
  json::array list;
  for (const ModelListEntry& model : models) {
    list.push_back(json::object{{"name", "models/" + model.id},
                                {"displayName", model.id},
                                {"supportedGenerationMethods", json::array{"generateContent", "countTokens"}}});
  }
  return json::serialize(json::object{{"models", std::move(list)}});
}

}  // namespace switchyard::gemini
