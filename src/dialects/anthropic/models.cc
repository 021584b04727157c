#include "dialects/anthropic/models.h"

#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

namespace switchyard::anthropic {
namespace json = boost::json;

std::string model_list_body(const std::vector<ModelListEntry>& models) {
  json::array data;
  for (const ModelListEntry& model : models) {
    data.push_back(json::object{{"type", "model"},
                                {"id", model.id},
                                {"display_name", model.id},
                                {"created_at", "2025-01-01T00:00:00Z"}});
  }
  json::object body{{"data", std::move(data)}, {"has_more", false}};
  body["first_id"] = models.empty() ? json::value(nullptr) : json::value(json::string(models.front().id));
  body["last_id"] = models.empty() ? json::value(nullptr) : json::value(json::string(models.back().id));
  return json::serialize(body);
}

}  // namespace switchyard::anthropic
