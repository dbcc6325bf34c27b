// Deterministic random inputs through every normalizer: bad input must come
// back as a value or a flag, never a crash, and the outputs must be
// well-formed UTF-8. NormalizeText must be idempotent.
#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "text/date_parser.h"
#include "text/kana.h"
#include "text/name.h"
#include "text/normalize.h"
#include "text/phone.h"

namespace ichigen::text {
namespace {

// Pieces that exercise the interesting paths, glued together at random,
// plus raw random bytes.
const std::vector<std::string>& Pieces() {
  static const std::vector<std::string> kPieces = {
      "山", "髙", "\uFA11", "\U00020BB7", "ヤ", "ﾔ", "ﾞ", "ﾟ", "ｰ", "ー", "−", "-", "・", "･",
      " ", "\u3000", "\t", "や", "ゝ", "ヾ", "ヴ", "ァ", "ッ", "ン", "\uFE00", "\U000E0100",
      "\u200B", "\uFEFF", "0", "9", "０", "１", "/", ".", "年", "月", "日", "元", "令和", "平成",
      "R", "h", "S", "+", "81", "(", ")", "内線", ":", "T", "(月)", "A", "z", "㍻", "①",
      "\u3099", "\u309B", "\xff", "\xe3\x81", "\xc0\xaf", "\xed\xa0\x80"};
  return kPieces;
}

bool IsValidUtf8Output(const std::string& s) { return IsValidUtf8(s); }

TEST(Robustness, RandomInputsNeverCrashAndStayWellFormed) {
  uint64_t state = 12345;
  auto next = [&] {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    return state >> 33;
  };
  const auto& pieces = Pieces();
  int date_ok = 0;
  for (int round = 0; round < 20000; ++round) {
    std::string input;
    const int len = static_cast<int>(next() % 12);
    for (int i = 0; i < len; ++i) {
      if (next() % 10 == 0) {
        input.push_back(static_cast<char>(next() & 0xFF));
      } else {
        input += pieces[next() % pieces.size()];
      }
    }
    const std::string text = NormalizeText(input);
    ASSERT_TRUE(IsValidUtf8Output(text)) << input;
    ASSERT_EQ(NormalizeText(text), text) << input;
    ASSERT_TRUE(IsValidUtf8Output(FoldHeader(input))) << input;

    const NormalizedName name = NormalizeName(input);
    ASSERT_TRUE(IsValidUtf8Output(name.display) && IsValidUtf8Output(name.key) &&
                IsValidUtf8Output(name.folded_key))
        << input;
    ASSERT_EQ(name.has_split, !name.family.empty()) << input;

    const NormalizedKana kana = NormalizeKana(input);
    ASSERT_TRUE(IsValidUtf8Output(kana.katakana) && IsValidUtf8Output(kana.phonetic)) << input;
    ASSERT_TRUE(IsValidUtf8Output(PhoneticKey(input))) << input;

    const auto date = ParseDate(input);
    if (date) {
      ++date_ok;
    } else {
      ASSERT_EQ(date.error().code, core::Code::kInvalidArgument) << input;
      ASSERT_FALSE(date.error().message.empty()) << input;
      ASSERT_FALSE(date.error().message_en.empty()) << input;
    }

    const NormalizedPhone phone = NormalizePhone(input);
    ASSERT_EQ(phone.valid, phone.reason.empty()) << input;
    ASSERT_TRUE(IsValidUtf8Output(phone.reason)) << input;
  }
  // Some random inputs are dates (a bare digit is an Excel serial).
  EXPECT_GT(date_ok, 0);
}

}  // namespace
}  // namespace ichigen::text
