#include "dialects/routes.h"

#include <algorithm>
#include <array>
#include <utility>

namespace switchyard {
namespace {

struct Route {
  std::string_view method;
  std::string_view path;
  Operation operation;
  Dialect dialect;
  bool shared_path = false;
};

constexpr std::array kRoutes = {
    Route{"GET", "/healthz", Operation::healthz, Dialect::openai_chat},
    Route{"GET", "/readyz", Operation::readyz, Dialect::openai_chat},
    Route{"GET", "/v1/models", Operation::list_models, Dialect::openai_chat, true},
    Route{"POST", "/v1/chat/completions", Operation::generate, Dialect::openai_chat},
    Route{"POST", "/v1/embeddings", Operation::embed, Dialect::openai_chat},
    Route{"POST", "/v1/responses", Operation::generate, Dialect::openai_responses},
    Route{"POST", "/v1/messages", Operation::generate, Dialect::anthropic_messages},
    Route{"POST", "/v1/messages/count_tokens", Operation::count_tokens, Dialect::anthropic_messages},
    Route{"GET", "/v1beta/models", Operation::list_models, Dialect::gemini},
    Route{"GET", "/admin/deployments", Operation::admin_deployments, Dialect::openai_chat},
    Route{"GET", "/admin/config", Operation::admin_config, Dialect::openai_chat},
    Route{"POST", "/admin/reload", Operation::admin_reload, Dialect::openai_chat},
    Route{"GET", "/admin/usage", Operation::admin_usage, Dialect::openai_chat},
    Route{"GET", "/admin/requests", Operation::admin_requests, Dialect::openai_chat},
    Route{"GET", "/metrics", Operation::metrics, Dialect::openai_chat},
    // The OpenAI SDK's base URL includes /v1, but some clients are configured without it.
    Route{"GET", "/models", Operation::list_models, Dialect::openai_chat, true},
    Route{"POST", "/chat/completions", Operation::generate, Dialect::openai_chat},
    Route{"POST", "/embeddings", Operation::embed, Dialect::openai_chat},
    Route{"POST", "/responses", Operation::generate, Dialect::openai_responses},
};

struct GeminiMethod {
  std::string_view name;
  Operation operation;
  bool stream;
  bool single_input = false;
};

constexpr std::array kGeminiMethods = {
    GeminiMethod{"generateContent", Operation::generate, false},
    GeminiMethod{"streamGenerateContent", Operation::generate, true},
    GeminiMethod{"countTokens", Operation::count_tokens, false},
    GeminiMethod{"embedContent", Operation::embed, false, true},
    GeminiMethod{"batchEmbedContents", Operation::embed, false},
};

// /v1beta/models/{model}:{method}; the model may itself contain slashes (PROVIDER/MODEL).
bool match_gemini(std::string_view method, std::string_view path, RouteMatch& match) {
  constexpr std::string_view kPrefix = "/v1beta/models/";
  if (!path.starts_with(kPrefix)) return false;
  std::string_view rest = path.substr(kPrefix.size());
  std::size_t colon = rest.rfind(':');
  if (colon == std::string_view::npos || colon == 0) return false;
  std::string_view name = rest.substr(colon + 1);
  for (const GeminiMethod& candidate : kGeminiMethods) {
    if (candidate.name != name) continue;
    if (method != "POST") {
      match = {Operation::wrong_method, Dialect::gemini, {}, false, false, false, "POST", {}, false};
      return true;
    }
    match = {candidate.operation, Dialect::gemini, std::string(rest.substr(0, colon)), candidate.stream,
             candidate.single_input, false, {}, {}, false};
    return true;
  }
  return false;
}

// /v1/responses/{id} (GET, DELETE) and /v1/responses/{id}/input_items (GET).
bool match_stored_response(std::string_view method, std::string_view path, RouteMatch& match) {
  std::string_view rest;
  for (std::string_view prefix : {std::string_view("/v1/responses/"), std::string_view("/responses/")}) {
    if (path.starts_with(prefix)) rest = path.substr(prefix.size());
  }
  if (rest.empty()) return false;
  constexpr std::string_view kItems = "/input_items";
  bool items = rest.ends_with(kItems);
  if (items) rest.remove_suffix(kItems.size());
  if (rest.empty() || rest.find('/') != std::string_view::npos) return false;
  match.dialect = Dialect::openai_responses;
  bool allowed = method == "GET" || (method == "DELETE" && !items);
  match.operation = allowed ? Operation::stored_response : Operation::wrong_method;
  match.allowed_method = items ? "GET" : "GET or DELETE";
  match.resource = std::string(rest);
  match.input_items = items;
  return true;
}

// /admin/keys[/{id}[/rotate]] and /admin/teams[/{id}]: every verb; the keys API answers
// a verb it does not take itself.
bool match_access_records(std::string_view path, RouteMatch& match) {
  for (auto [prefix, operation] : {std::pair{std::string_view("/admin/keys"), Operation::admin_keys},
                                   std::pair{std::string_view("/admin/teams"), Operation::admin_teams}}) {
    if (path == prefix || (path.starts_with(prefix) && path[prefix.size()] == '/')) {
      match.operation = operation;
      match.dialect = Dialect::openai_chat;
      match.resource = std::string(path.substr(std::min(path.size(), prefix.size() + 1)));
      return true;
    }
  }
  return false;
}

}  // namespace

RouteMatch match_route(std::string_view method, std::string_view target) {
  std::string_view path = target.substr(0, target.find('?'));
  if (path.size() > 1 && path.back() == '/') path.remove_suffix(1);
  RouteMatch match;
  if (match_gemini(method, path, match)) return match;
  if (match_stored_response(method, path, match)) return match;
  if (match_access_records(path, match)) return match;
  for (const Route& route : kRoutes) {
    if (route.path != path) continue;
    if (route.method == method) return {route.operation, route.dialect, {}, false, false, route.shared_path, {}, {}, false};
    match = {Operation::wrong_method, route.dialect, {}, false, false, false, route.method, {}, false};
  }
  if (match.operation == Operation::unknown_path && path.starts_with("/v1beta/")) match.dialect = Dialect::gemini;
  return match;
}

}  // namespace switchyard
