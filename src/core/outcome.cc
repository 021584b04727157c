#include "core/outcome.h"

namespace switchyard {

std::string_view principal_kind_name(Principal::Kind kind) {
  switch (kind) {
    case Principal::Kind::anonymous: return "anonymous";
    case Principal::Kind::master_key: return "master_key";
    case Principal::Kind::virtual_key: return "virtual_key";
  }
  return "anonymous";
}

std::string_view ending_name(Ending ending) {
  switch (ending) {
    case Ending::answered: return "answered";
    case Ending::rejected: return "rejected";
    case Ending::failed: return "failed";
    case Ending::stream_failed: return "stream_failed";
    case Ending::client_closed: return "client_closed";
    case Ending::shutdown: return "shutdown";
  }
  return "answered";
}

}  // namespace switchyard
