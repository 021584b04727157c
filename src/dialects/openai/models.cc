#include "dialects/openai/models.h"

#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <ctime>

namespace switchyard::openai {
namespace json = boost::json;

std::string model_list_body(const std::vector<ModelListEntry>& models) {
  auto created = static_cast<std::int64_t>(std::time(nullptr));
  json::array data;
  data.reserve(models.size());
  for (const ModelListEntry& model : models) {
    data.push_back(json::object{{"id", model.id}, {"object", "model"}, {"created", created}, {"owned_by", model.owned_by}});
  }
  return json::serialize(json::object{{"object", "list"}, {"data", std::move(data)}});
}

}  // namespace switchyard::openai
