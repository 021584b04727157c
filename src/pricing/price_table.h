// The price list the gateway ships (data/prices.json, generated from a public catalogue and
// embedded at build time): for each provider catalogue, its models' match rules and prices.
// Looking a model up follows the catalogue's own rules: names compare case-insensitively,
// and the first model whose rule matches wins.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "pricing/model_price.h"

namespace switchyard::pricing {

class MatchRule;

class PriceTable {
 public:
  // The table in `json` (data/prices.json's format), or nullopt with the reason in `error`.
  static std::optional<PriceTable> parse(std::string_view json, std::string& error);
  // The table built into the binary. Parsed on first use; a table that does not parse is a
  // build defect the unit tests catch, so it throws.
  static const PriceTable& builtin();

  PriceTable(PriceTable&&) noexcept;
  PriceTable& operator=(PriceTable&&) noexcept;
  ~PriceTable();

  // The price of `model` in the catalogue `catalogue` ("openai", "anthropic", "gemini"), or
  // null when the catalogue does not list it. The pointer lives as long as the table.
  // Lookups of names the table saw before cost a hash probe, so a client naming models
  // itself (PROVIDER/MODEL) does not pay the rules on every request.
  const ModelPrice* find(std::string_view catalogue, std::string_view model) const;

  // "@pydantic/genai-prices 0.1.8": where the prices come from.
  const std::string& source() const { return source_; }
  std::size_t size() const;

 private:
  PriceTable();
  struct Entry;
  struct Memo;
  std::string source_;
  std::map<std::string, std::vector<Entry>, std::less<>> catalogues_;
  std::unique_ptr<Memo> memo_;
};

}  // namespace switchyard::pricing
