// The URL space: which dialect and operation a method and path name. Each dialect's
// paths are those its official SDK calls, under the base URL that SDK takes.
#pragma once

#include <string>
#include <string_view>

#include "dialects/dialect.h"

namespace switchyard {

enum class Operation {
  healthz,
  readyz,
  list_models,
  generate,      // chat completions, messages, generateContent
  count_tokens,
  embed,
  stored_response,    // GET or DELETE /v1/responses/{id}, GET …/{id}/input_items
  admin_deployments,  // routing state, for operators
  admin_config,       // the configuration in force
  admin_reload,       // reload the configuration file
  admin_usage,        // the usage ledger, grouped
  admin_requests,     // the usage ledger, row by row
  admin_keys,         // virtual keys: /admin/keys[/{id}[/rotate]], every verb
  admin_teams,        // teams: /admin/teams[/{id}]
  metrics,            // Prometheus text format
  unknown_path,
  wrong_method,
};

struct RouteMatch {
  Operation operation = Operation::unknown_path;
  Dialect dialect = Dialect::openai_chat;  // whose shape errors and answers take
  std::string model;                       // for dialects that name the model in the path
  bool stream = false;                     // for dialects that stream by path
  bool single_input = false;               // an embeddings route that takes one input, not a batch
  // A path the SDKs of several dialects call (GET /v1/models): the answer's shape is picked
  // from the request's headers (model_list_codec).
  bool shared_path = false;
  std::string_view allowed_method;         // for wrong_method
  // stored_response: the id (`input_items` says which view); admin_keys and admin_teams:
  // the path after the collection ("", "{id}", "{id}/rotate")
  std::string resource;
  bool input_items = false;
};

// `target` may carry a query string; it is ignored for matching.
RouteMatch match_route(std::string_view method, std::string_view target);

}  // namespace switchyard
