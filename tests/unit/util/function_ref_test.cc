#include "util/function_ref.h"

#include <gtest/gtest.h>

#include <string>

namespace kclient::util {
namespace {

int Apply(FunctionRef<int(int)> f, int x) { return f(x); }

TEST(FunctionRefTest, CallsTheReferencedLambdaWithItsCapturesByReference) {
  int calls = 0;
  std::string big(100, 'x');  // a capture far larger than any small-buffer optimisation
  auto add = [&calls, big](int x) {
    ++calls;
    return x + static_cast<int>(big.size());
  };
  EXPECT_EQ(Apply(add, 1), 101);
  EXPECT_EQ(Apply(add, 2), 102);
  EXPECT_EQ(calls, 2);
}

TEST(FunctionRefTest, AcceptsTemporariesForTheDurationOfTheCall) {
  EXPECT_EQ(Apply([](int x) { return x * 3; }, 5), 15);
}

long Widen(FunctionRef<long(int)> f) { return f(7); }

TEST(FunctionRefTest, ConvertsTheCallablesResult) {
  EXPECT_EQ(Widen([](int x) { return 3 * x; }), 21L);
}

}  // namespace
}  // namespace kclient::util
