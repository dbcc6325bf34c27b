#include "core/result.h"

#include <gtest/gtest.h>

namespace ichigen::core {
namespace {

Result<int> Half(int n) {
  if (n % 2 != 0) return Fail(Code::kInvalidArgument, "奇数です", "odd number");
  return n / 2;
}

Result<int> Quarter(int n) {
  ASSIGN_OR_RETURN(int half, Half(n));
  ASSIGN_OR_RETURN(int quarter, Half(half));
  return quarter;
}

Status CheckEven(int n) {
  RETURN_IF_ERROR(Half(n));
  return Ok();
}

TEST(ResultTest, MacrosPropagateTheFirstError) {
  EXPECT_EQ(*Quarter(8), 2);
  auto odd = Quarter(6);
  ASSERT_FALSE(odd.has_value());
  EXPECT_EQ(odd.error().code, Code::kInvalidArgument);
  EXPECT_EQ(odd.error().message_en, "odd number");
  EXPECT_TRUE(CheckEven(4).has_value());
  EXPECT_EQ(CheckEven(3).error().code, Code::kInvalidArgument);
}

TEST(ResultTest, CodeTableMapsToHttpAndExit) {
  EXPECT_EQ(HttpStatusFor(Code::kInvalidArgument), 400);
  EXPECT_EQ(HttpStatusFor(Code::kNotFound), 404);
  EXPECT_EQ(HttpStatusFor(Code::kPermissionDenied), 403);
  EXPECT_EQ(HttpStatusFor(Code::kUnauthenticated), 401);
  EXPECT_EQ(ExitCodeFor(Code::kOk), 0);
  EXPECT_NE(ExitCodeFor(Code::kNotFound), ExitCodeFor(Code::kInvalidArgument));
  EXPECT_EQ(CodeName(Code::kAlreadyExists), "already_exists");
}

TEST(ResultTest, ToStringCarriesBothLanguagesAndContext) {
  Error error{Code::kNotFound, "見つかりません", "not found", "patient 12"};
  error = std::move(error).WithContext("show");
  EXPECT_EQ(error.ToString(), "not_found: 見つかりません / not found [show: patient 12]");
}

}  // namespace
}  // namespace ichigen::core
