// The attempts and respond phases every upstream operation shares: the plan's attempts
// (routing/attempt_plan.h), one after another or raced when the alias hedges, each sent
// and read to its first token (first_token.h), until one answers the client or the plan
// runs out and the last failure is the answer. Routing's books are the plan's: this loop
// sends, judges what came back, and answers.
#pragma once

#include <boost/asio/awaitable.hpp>

#include "routing/attempt_plan.h"
#include "server/operation.h"

namespace switchyard::server {

boost::asio::awaitable<void> run_attempts(RequestScope& scope, OperationHandler& operation, const ParsedRequest& request);

using routing::backoff_delay;  // the retry rounds' backoff, for tests
using routing::unknown_model;

}  // namespace switchyard::server
