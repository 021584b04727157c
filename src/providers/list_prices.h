// List prices of well-known models, for lowest-cost routing. A stand-in, in dollars per
// million tokens, until the generated price table and integer money of the usage ledger
// replace it; it lives with the providers because it names their models.
#pragma once

#include <optional>
#include <string_view>

namespace switchyard::providers {

// Input plus output, dollars per million tokens, matched by prefix of the upstream model
// name; nullopt when unknown.
std::optional<double> list_price_per_mtok(std::string_view model);

}  // namespace switchyard::providers
