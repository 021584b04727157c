#include "server/routes.h"

#include <array>

namespace switchyard::server {
namespace {

struct Route {
  std::string_view method;
  std::string_view path;
  Operation operation;
};

constexpr std::array kRoutes = {
    Route{"GET", "/healthz", Operation::healthz},
    Route{"GET", "/readyz", Operation::readyz},
    Route{"GET", "/v1/models", Operation::list_models},
    Route{"POST", "/v1/chat/completions", Operation::chat_completions},
    // The OpenAI SDK's base URL includes /v1, but some clients are configured without it.
    Route{"GET", "/models", Operation::list_models},
    Route{"POST", "/chat/completions", Operation::chat_completions},
};

}  // namespace

RouteMatch match_route(std::string_view method, std::string_view target) {
  std::string_view path = target.substr(0, target.find('?'));
  if (path.size() > 1 && path.back() == '/') path.remove_suffix(1);
  RouteMatch match;
  for (const Route& route : kRoutes) {
    if (route.path != path) continue;
    if (route.method == method) return {route.operation, {}};
    match = {Operation::wrong_method, route.method};
  }
  return match;
}

}  // namespace switchyard::server
