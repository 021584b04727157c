#include "pricing/price_table.h"

#include <algorithm>
#include <boost/json.hpp>
#include <mutex>
#include <regex>
#include <stdexcept>
#include <unordered_map>

namespace switchyard::pricing {

namespace json = boost::json;

std::string_view builtin_prices_json();  // builtin_prices.cc, generated from data/prices.json

namespace {

std::string lowered(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

// Thrown while reading the table; parse() turns it into its error.
struct Invalid : std::runtime_error {
  using std::runtime_error::runtime_error;
};

}  // namespace

// A catalogue's rule for which names a model answers to: one of equals, starts_with,
// ends_with, contains (case-insensitive), regex (ECMAScript, as the catalogue is JavaScript),
// or any/all of several rules.
class MatchRule {
 public:
  explicit MatchRule(const json::value& rule, const std::string& where) {
    const json::object* object = rule.if_object();
    if (!object || object->size() != 1) throw Invalid(where + ": a match rule is an object with one member");
    const auto& [op, operand] = *object->begin();
    if (op == "or" || op == "and") {
      kind_ = op == "or" ? Kind::any : Kind::all;
      const json::array* rules = operand.if_array();
      if (!rules || rules->empty()) throw Invalid(where + "." + std::string(op) + " must be a non-empty array");
      for (const json::value& child : *rules) children_.emplace_back(child, where + "." + std::string(op));
      return;
    }
    const json::string* text = operand.if_string();
    if (!text) throw Invalid(where + "." + std::string(op) + " must be a string");
    text_ = lowered(*text);
    if (op == "equals") kind_ = Kind::equals;
    else if (op == "starts_with") kind_ = Kind::starts_with;
    else if (op == "ends_with") kind_ = Kind::ends_with;
    else if (op == "contains") kind_ = Kind::contains;
    else if (op == "regex") {
      kind_ = Kind::regex;
      try {
        pattern_.emplace(std::string(*text), std::regex::ECMAScript | std::regex::optimize);
      } catch (const std::regex_error& e) {
        throw Invalid(where + ".regex: " + e.what());
      }
    } else {
      throw Invalid(where + ": unknown match rule '" + std::string(op) + "'");
    }
  }

  // `name` is lower case.
  bool matches(std::string_view name) const {
    switch (kind_) {
      case Kind::any:
        return std::any_of(children_.begin(), children_.end(), [&](const MatchRule& rule) { return rule.matches(name); });
      case Kind::all:
        return std::all_of(children_.begin(), children_.end(), [&](const MatchRule& rule) { return rule.matches(name); });
      case Kind::equals: return name == text_;
      case Kind::starts_with: return name.starts_with(text_);
      case Kind::ends_with: return name.ends_with(text_);
      case Kind::contains: return name.find(text_) != std::string_view::npos;
      case Kind::regex: return std::regex_search(name.begin(), name.end(), *pattern_);
    }
    return false;
  }

 private:
  enum class Kind { any, all, equals, starts_with, ends_with, contains, regex };
  Kind kind_ = Kind::equals;
  std::string text_;
  std::optional<std::regex> pattern_;
  std::vector<MatchRule> children_;
};

struct PriceTable::Entry {
  MatchRule rule;
  ModelPrice price;
};

// Names looked up before, with what they found (null: not listed). Bounded, so names
// clients make up cannot grow it without end; past the bound, new names pay the rules.
struct PriceTable::Memo {
  static constexpr std::size_t kMaxNames = 10000;
  std::mutex mutex;
  std::unordered_map<std::string, const ModelPrice*> found;
};

namespace {

std::int64_t price_of(const json::value& value, const std::string& where) {
  const json::string* text = value.if_string();
  if (!text) throw Invalid(where + " must be a decimal string");
  std::optional<std::int64_t> pico = parse_usd_per_million_tokens(*text);
  if (!pico) throw Invalid(where + ": '" + std::string(*text) + "' is not an exact price");
  return *pico;
}

std::optional<TieredPrice> tiered_price(const json::object& step, std::string_view kind, const std::string& where) {
  const json::value* value = step.if_contains(kind);
  if (!value || value->is_null()) return std::nullopt;
  std::string at = where + "." + std::string(kind);
  const json::object* object = value->if_object();
  if (!object || !object->contains("base")) throw Invalid(at + " must be an object with 'base'");
  TieredPrice price;
  price.base = price_of(object->at("base"), at + ".base");
  if (const json::value* tiers = object->if_contains("tiers")) {
    if (!tiers->is_array()) throw Invalid(at + ".tiers must be an array");
    for (const json::value& tier : tiers->get_array()) {
      const json::object* fields = tier.if_object();
      const json::value* start = fields ? fields->if_contains("start") : nullptr;
      if (!start || !start->is_int64() || start->get_int64() < 0 || !fields->contains("price")) {
        throw Invalid(at + ".tiers: each tier is {start: tokens, price}");
      }
      price.tiers.push_back({start->get_int64(), price_of(fields->at("price"), at + ".tiers.price")});
    }
    std::sort(price.tiers.begin(), price.tiers.end(),
              [](const TieredPrice::Tier& a, const TieredPrice::Tier& b) { return a.above < b.above; });
  }
  return price;
}

std::chrono::sys_days date_of(const json::value& value, const std::string& where) {
  const json::string* text = value.if_string();
  int year = 0;
  unsigned month = 0, day = 0;
  if (!text || text->size() != 10 || std::sscanf(text->c_str(), "%4d-%2u-%2u", &year, &month, &day) != 3) {
    throw Invalid(where + " must be a date (YYYY-MM-DD)");
  }
  std::chrono::year_month_day date{std::chrono::year(year), std::chrono::month(month), std::chrono::day(day)};
  if (!date.ok()) throw Invalid(where + ": no such date");
  return std::chrono::sys_days(date);
}

PriceStep step_of(const json::object& prices, const std::string& where) {
  PriceStep step;
  step.input = tiered_price(prices, "input", where);
  step.output = tiered_price(prices, "output", where);
  step.cache_read = tiered_price(prices, "cache_read", where);
  step.cache_write = tiered_price(prices, "cache_write", where);
  return step;
}

ModelPrice model_price(const json::object& model, const std::string& where) {
  ModelPrice price;
  const json::value* id = model.if_contains("id");
  if (!id || !id->is_string()) throw Invalid(where + ": a model needs an 'id'");
  price.id = std::string(id->get_string());
  std::string at = where + "." + price.id;
  if (const json::value* prices = model.if_contains("prices")) {
    if (!prices->is_object()) throw Invalid(at + ".prices must be an object");
    price.steps.push_back(step_of(prices->get_object(), at));
  } else if (const json::value* steps = model.if_contains("prices_by_date")) {
    if (!steps->is_array() || steps->get_array().empty()) throw Invalid(at + ".prices_by_date must be a non-empty array");
    for (const json::value& step : steps->get_array()) {
      if (!step.is_object()) throw Invalid(at + ".prices_by_date: each step is an object");
      PriceStep read = step_of(step.get_object(), at);
      const json::value* from = step.get_object().if_contains("from");
      if (from && !from->is_null()) read.from = date_of(*from, at + ".from");
      price.steps.push_back(std::move(read));
    }
    std::stable_sort(price.steps.begin(), price.steps.end(), [](const PriceStep& a, const PriceStep& b) {
      return a.from.value_or(std::chrono::sys_days::min()) < b.from.value_or(std::chrono::sys_days::min());
    });
  } else {
    throw Invalid(at + ": a model needs 'prices' or 'prices_by_date'");
  }
  return price;
}

}  // namespace

PriceTable::PriceTable() : memo_(std::make_unique<Memo>()) {}
PriceTable::PriceTable(PriceTable&&) noexcept = default;
PriceTable& PriceTable::operator=(PriceTable&&) noexcept = default;
PriceTable::~PriceTable() = default;

std::optional<PriceTable> PriceTable::parse(std::string_view text, std::string& error) {
  boost::system::error_code ec;
  json::value root = json::parse(text, ec);
  if (ec) {
    error = "not JSON: " + ec.message();
    return std::nullopt;
  }
  try {
    PriceTable table;
    const json::object* object = root.if_object();
    const json::value* providers = object ? object->if_contains("providers") : nullptr;
    if (!providers || !providers->is_object()) throw Invalid("the table needs a 'providers' object");
    if (const json::value* source = object->if_contains("source"); source && source->is_object()) {
      const json::object& fields = source->get_object();
      auto text_of = [&](std::string_view key) {
        const json::value* value = fields.if_contains(key);
        return value && value->is_string() ? std::string(value->get_string()) : std::string();
      };
      table.source_ = text_of("package") + " " + text_of("version");
    }
    for (const auto& [catalogue, models] : providers->get_object()) {
      std::string where(catalogue);
      if (!models.is_array()) throw Invalid(where + " must be an array of models");
      std::vector<Entry>& entries = table.catalogues_[where];
      for (const json::value& model : models.get_array()) {
        const json::object* fields = model.if_object();
        if (!fields || !fields->contains("match")) throw Invalid(where + ": each model is an object with 'match'");
        ModelPrice price = model_price(*fields, where);
        entries.push_back(Entry{MatchRule(fields->at("match"), where + "." + price.id + ".match"), std::move(price)});
      }
    }
    return table;
  } catch (const Invalid& invalid) {
    error = invalid.what();
    return std::nullopt;
  }
}

const PriceTable& PriceTable::builtin() {
  static const PriceTable table = [] {
    std::string error;
    std::optional<PriceTable> parsed = parse(builtin_prices_json(), error);
    if (!parsed) throw std::logic_error("the built-in price table does not parse: " + error);
    return std::move(*parsed);
  }();
  return table;
}

std::size_t PriceTable::size() const {
  std::size_t count = 0;
  for (const auto& [name, entries] : catalogues_) count += entries.size();
  return count;
}

const ModelPrice* PriceTable::find(std::string_view catalogue, std::string_view model) const {
  auto entries = catalogues_.find(catalogue);
  if (entries == catalogues_.end()) return nullptr;
  std::string name = lowered(model);
  std::string key = std::string(catalogue) + '\n' + name;
  {
    std::lock_guard lock(memo_->mutex);
    if (auto known = memo_->found.find(key); known != memo_->found.end()) return known->second;
  }
  const ModelPrice* found = nullptr;
  for (const Entry& entry : entries->second) {
    if (entry.rule.matches(name)) {
      found = &entry.price;
      break;
    }
  }
  std::lock_guard lock(memo_->mutex);
  if (memo_->found.size() < Memo::kMaxNames) memo_->found.emplace(std::move(key), found);
  return found;
}

}  // namespace switchyard::pricing
