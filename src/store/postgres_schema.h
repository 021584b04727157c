// The gateway's tables in PostgreSQL: created and migrated by the gateway itself, in
// versioned steps, under an advisory lock so that replicas starting together apply each once.
#pragma once

#include "core/result.h"
#include "store/postgres_connection.h"

namespace switchyard::store {

// Brings the schema up to date (a no-op when it is); safe to call from several replicas.
Status migrate_postgres(PostgresConnection& connection);

}  // namespace switchyard::store
