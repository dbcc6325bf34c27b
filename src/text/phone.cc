#include "text/phone.h"

#include "text/unicode.h"

namespace ichigen::text {
namespace {

using internal::DecodeNext;

enum class CharKind { kDigit, kPlus, kFiller, kSeparator, kOther };

// Classifies one code point of a phone value; `digit` receives 0..9 for
// ASCII and full-width digits.
CharKind Classify(char32_t c, int& digit) {
  if (c >= '0' && c <= '9') {
    digit = static_cast<int>(c - '0');
    return CharKind::kDigit;
  }
  if (c >= 0xFF10 && c <= 0xFF19) {
    digit = static_cast<int>(c - 0xFF10);
    return CharKind::kDigit;
  }
  if (c == '+' || c == 0xFF0B) return CharKind::kPlus;
  if (internal::IsDashLike(c) || internal::IsSpaceLike(c) || internal::IsDropped(c)) {
    return CharKind::kFiller;
  }
  switch (c) {
    case '(': case ')': case 0xFF08: case 0xFF09: case '[': case ']':
    case '.': case 0xFF0E: case 0x300C: case 0x300D: case 0xFF5E: case '~':
      return CharKind::kFiller;
    case '/': case 0xFF0F: case ',': case 0xFF0C: case 0x3001: case ';': case 0xFF1B:
    case 0x30FB: case 0xFF65:
      return CharKind::kSeparator;
    default:
      return CharKind::kOther;
  }
}

bool StartsWith(const std::string& s, std::string_view prefix) {
  return s.compare(0, prefix.size(), prefix) == 0;
}

// Type from the prefix; the length is checked by the caller.
PhoneType TypeOf(const std::string& key) {
  // 0800 before 080: 080-0… is free-dial, not a mobile number.
  if (StartsWith(key, "0120") || StartsWith(key, "0800")) return PhoneType::kTollFree;
  if (StartsWith(key, "070") || StartsWith(key, "080") || StartsWith(key, "090") ||
      StartsWith(key, "060")) {
    return PhoneType::kMobile;
  }
  if (StartsWith(key, "050")) return PhoneType::kIp;
  if (StartsWith(key, "0570") || StartsWith(key, "0990") || StartsWith(key, "0180") ||
      StartsWith(key, "020") || StartsWith(key, "00")) {
    return PhoneType::kUnknown;
  }
  if (key.size() >= 2 && key[0] == '0') return PhoneType::kFixed;
  return PhoneType::kUnknown;
}

size_t ExpectedLength(const std::string& key, PhoneType type) {
  switch (type) {
    case PhoneType::kMobile:
    case PhoneType::kIp:
      return 11;
    case PhoneType::kTollFree:
      return StartsWith(key, "0800") ? 11 : 10;
    case PhoneType::kFixed:
      return 10;
    case PhoneType::kUnknown:
      return 0;
  }
  return 0;
}

std::string LengthReason(PhoneType type, const std::string& key, size_t expected) {
  std::string what;
  switch (type) {
    case PhoneType::kMobile: what = "携帯電話番号"; break;
    case PhoneType::kIp: what = "IP電話番号（050）"; break;
    case PhoneType::kTollFree: what = StartsWith(key, "0800") ? "フリーダイヤル（0800）"
                                                             : "フリーダイヤル（0120）"; break;
    default: what = "固定電話番号"; break;
  }
  return what + "は" + std::to_string(expected) + "桁です（" + std::to_string(key.size()) +
         "桁）";
}

}  // namespace

std::string_view PhoneTypeName(PhoneType type) {
  switch (type) {
    case PhoneType::kMobile: return "mobile";
    case PhoneType::kIp: return "ip";
    case PhoneType::kFixed: return "fixed";
    case PhoneType::kTollFree: return "toll_free";
    case PhoneType::kUnknown: return "unknown";
  }
  return "unknown";
}

namespace {

// Whether the first character after the leading spaces is a digit.
bool NextIsDigit(std::string_view text) {
  for (size_t p = 0; p < text.size();) {
    const char32_t c = DecodeNext(text, p);
    if (internal::IsSpaceLike(c)) continue;
    int ignored = 0;
    return Classify(c, ignored) == CharKind::kDigit;
  }
  return false;
}

size_t CountDigits(std::string_view text) {
  size_t count = 0;
  for (size_t p = 0; p < text.size();) {
    int ignored = 0;
    if (Classify(DecodeNext(text, p), ignored) == CharKind::kDigit) ++count;
  }
  return count;
}

}  // namespace

NormalizedPhone NormalizePhone(std::string_view raw) {
  NormalizedPhone r;
  std::string digits;
  digits.reserve(16);
  bool plus = false;
  bool started = false;
  // Digit groups: "81-90-…" is only recognised as a country code when 81
  // stands alone as the first group.
  size_t first_group_len = 0;
  bool in_first_group = true;
  size_t pos = 0;
  while (pos < raw.size()) {
    const size_t before = pos;
    const char32_t c = DecodeNext(raw, pos);
    int d = 0;
    const CharKind kind = Classify(c, d);
    if (kind == CharKind::kDigit) {
      digits.push_back(static_cast<char>('0' + d));
      if (in_first_group) ++first_group_len;
      started = true;
      continue;
    }
    if (started) in_first_group = false;
    if (kind == CharKind::kPlus && !started) {
      plus = true;
      continue;
    }
    const std::string_view rest = raw.substr(before);
    // "090-1234-5678 03-1234-5678": a space after a complete number, with
    // more digits to come, separates two numbers rather than digit groups.
    if (started && internal::IsSpaceLike(c) && digits[0] == '0' &&
        ExpectedLength(digits, TypeOf(digits)) == digits.size() && NextIsDigit(rest)) {
      r.multiple = true;
      break;
    }
    if (kind == CharKind::kFiller || kind == CharKind::kPlus) continue;
    if (!started) continue;  // a label before the number: "TEL:", "携帯"
    // "090-1234-5678 または 03-1234-5678": a note with another number in it.
    if (kind == CharKind::kOther && CountDigits(rest) >= 9) r.multiple = true;
    if (kind == CharKind::kSeparator) {
      for (size_t p = 0; p < rest.size();) {
        int ignored = 0;
        if (Classify(DecodeNext(rest, p), ignored) == CharKind::kDigit) {
          r.multiple = true;
          break;
        }
      }
      break;
    }
    // Anything else ends the number. After 内線 / ext / x, the digits that
    // follow are an extension; otherwise a note such as （自宅）.
    if (rest.starts_with("内線") || rest.starts_with("内") || rest.starts_with("ext") ||
        rest.starts_with("EXT") || rest.starts_with("Ext") || rest.starts_with("x") ||
        rest.starts_with("X")) {
      for (size_t p = 0; p < rest.size();) {
        int e = 0;
        const CharKind k = Classify(DecodeNext(rest, p), e);
        if (k == CharKind::kDigit) {
          r.extension.push_back(static_cast<char>('0' + e));
        } else if (!r.extension.empty() && k != CharKind::kFiller) {
          break;
        }
      }
    }
    break;
  }

  if (digits.empty()) {
    r.reason = "電話番号がありません";
    return r;
  }
  if (plus) {
    if (!StartsWith(digits, "81")) {
      r.key = "+" + digits;
      r.reason = "日本以外の国番号です";
      return r;
    }
    // +81 (0)90-…: the trunk 0 is sometimes kept in brackets.
    digits = StartsWith(digits, "810") ? digits.substr(2) : "0" + digits.substr(2);
  } else if (digits[0] != '0' && StartsWith(digits, "81") &&
             (first_group_len == 2 || digits.size() == 11 || digits.size() == 12)) {
    digits = "0" + digits.substr(2);
  } else if (digits[0] != '0' && (digits.size() == 9 || digits.size() == 10)) {
    // A number stored in a numeric Excel cell loses its leading 0.
    const std::string restored = "0" + digits;
    const PhoneType t = TypeOf(restored);
    if (t != PhoneType::kUnknown && ExpectedLength(restored, t) == restored.size()) {
      digits = restored;
      r.leading_zero_restored = true;
    }
  }
  r.key = digits;
  if (digits[0] != '0') {
    r.reason = "先頭が0ではありません";
    return r;
  }
  r.type = TypeOf(digits);
  if (r.type == PhoneType::kUnknown) {
    if (StartsWith(digits, "00")) {
      r.reason = "国際電話の発信番号（00）で始まっています";
    } else if (StartsWith(digits, "020")) {
      r.reason = "020番号（ポケットベル・M2M等）は連絡先になりません";
    } else if (digits.size() < 2) {
      r.reason = "桁数が足りません";
    } else {
      r.reason = "ナビダイヤル等の特殊番号です（個人の連絡先ではありません）";
    }
    return r;
  }
  const size_t expected = ExpectedLength(digits, r.type);
  if (digits.size() != expected) {
    r.reason = LengthReason(r.type, digits, expected);
    return r;
  }
  r.valid = true;
  return r;
}

void PhoneFrequency::Add(const std::string& key) {
  if (key.empty()) return;
  ++counts_[key];
}

int64_t PhoneFrequency::Count(const std::string& key) const {
  auto it = counts_.find(key);
  return it == counts_.end() ? 0 : it->second;
}

bool PhoneFrequency::IsShared(const std::string& key, int64_t threshold) const {
  return Count(key) > threshold;
}

}  // namespace ichigen::text
