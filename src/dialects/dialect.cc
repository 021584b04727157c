#include "dialects/dialect.h"

namespace switchyard {

std::string_view dialect_name(Dialect dialect) {
  switch (dialect) {
    case Dialect::openai_chat: return "openai";
  }
  return "unknown";
}

}  // namespace switchyard
