// FunctionRef: a non-owning reference to a callable, for parameters called during the call only.
// Unlike std::function it never allocates, whatever the lambda captures, which keeps the
// producer's per-batch paths allocation-free. The callable must outlive the FunctionRef.
// Thread-safety: a plain value.
#pragma once

#include <memory>
#include <type_traits>
#include <utility>

namespace kclient::util {

template <typename Signature>
class FunctionRef;

template <typename R, typename... Args>
class FunctionRef<R(Args...)> {
 public:
  template <typename F,
            typename = std::enable_if_t<!std::is_same_v<std::remove_cvref_t<F>, FunctionRef> &&
                                        std::is_invocable_r_v<R, F&, Args...>>>
  FunctionRef(F&& f) noexcept  // NOLINT: implicit, like std::function, so lambdas pass directly
      : object_(const_cast<void*>(static_cast<const void*>(std::addressof(f)))),
        call_([](void* object, Args... args) -> R {
          return (*static_cast<std::remove_reference_t<F>*>(object))(std::forward<Args>(args)...);
        }) {}

  R operator()(Args... args) const { return call_(object_, std::forward<Args>(args)...); }

 private:
  void* object_;
  R (*call_)(void*, Args...);
};

}  // namespace kclient::util
