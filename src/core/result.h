// Result<T>: a value or a GatewayError. The data plane reports failures this way
// instead of throwing, so every error path is visible at the call site.
#pragma once

#include <utility>
#include <variant>

#include "core/error.h"

namespace switchyard {

template <class T>
class [[nodiscard]] Result {
 public:
  Result(T value) : state_(std::in_place_index<0>, std::move(value)) {}  // NOLINT: implicit by design
  Result(GatewayError error) : state_(std::in_place_index<1>, std::move(error)) {}  // NOLINT

  bool ok() const { return state_.index() == 0; }
  explicit operator bool() const { return ok(); }

  T& value() & { return std::get<0>(state_); }
  const T& value() const& { return std::get<0>(state_); }
  T&& value() && { return std::get<0>(std::move(state_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }

  const GatewayError& error() const { return std::get<1>(state_); }
  GatewayError&& take_error() { return std::get<1>(std::move(state_)); }

 private:
  std::variant<T, GatewayError> state_;
};

// For operations that produce nothing but may fail.
struct Done {};
using Status = Result<Done>;

}  // namespace switchyard
