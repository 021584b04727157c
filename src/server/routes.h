// The URL space of the gateway: which operation a method and path name.
#pragma once

#include <string_view>

namespace switchyard::server {

enum class Operation {
  healthz,
  readyz,
  list_models,
  chat_completions,
  unknown_path,
  wrong_method,
};

struct RouteMatch {
  Operation operation = Operation::unknown_path;
  std::string_view allowed_method;  // for wrong_method: the method the path takes
};

// `target` may carry a query string; it is ignored for matching.
RouteMatch match_route(std::string_view method, std::string_view target);

}  // namespace switchyard::server
