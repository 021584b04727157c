// A non-owning reference to a callable: std::function's call without its copy of the
// callable, which for a lambda capturing more than two references is a heap allocation.
// The callable must outlive the reference; only lvalues bind, so a temporary lambda
// cannot be left dangling.
#pragma once

#include <memory>
#include <type_traits>
#include <utility>

namespace switchyard {

template <class Signature>
class FunctionRef;

template <class R, class... Args>
class FunctionRef<R(Args...)> {
 public:
  FunctionRef() = default;

  template <class F>
    requires(!std::is_same_v<std::remove_cv_t<F>, FunctionRef> && std::is_invocable_r_v<R, F&, Args...>)
  FunctionRef(F& callable) noexcept  // NOLINT(google-explicit-constructor): stands in for the callable
      : object_(static_cast<void*>(std::addressof(callable))),
        call_([](void* object, Args... args) -> R { return (*static_cast<F*>(object))(std::forward<Args>(args)...); }) {}

  R operator()(Args... args) const { return call_(object_, std::forward<Args>(args)...); }
  explicit operator bool() const { return call_ != nullptr; }

 private:
  void* object_ = nullptr;
  R (*call_)(void*, Args...) = nullptr;
};

}  // namespace switchyard
