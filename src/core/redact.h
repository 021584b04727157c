// Secrets out of what is shown: a URL's password (postgres://user:secret@host/db) becomes ***.
#pragma once

#include <string>
#include <string_view>

namespace switchyard {

std::string redact_url_password(std::string_view url);

}  // namespace switchyard
