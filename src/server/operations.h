// The operations the pipeline serves, one file each.
#pragma once

#include <memory>

#include "server/operation.h"

namespace switchyard::server {

std::unique_ptr<OperationHandler> make_generate_operation(RequestScope& scope);
std::unique_ptr<OperationHandler> make_embed_operation(RequestScope& scope);
std::unique_ptr<OperationHandler> make_count_tokens_operation(RequestScope& scope);
std::unique_ptr<OperationHandler> make_model_list_operation(RequestScope& scope);
std::unique_ptr<OperationHandler> make_stored_response_operation(RequestScope& scope);

}  // namespace switchyard::server
