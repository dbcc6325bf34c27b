#include "identity/compare.h"

#include <cstdlib>
#include <string>

#include "identity/string_distance.h"
#include "text/name.h"

namespace ichigen::identity {
namespace {

constexpr LevelInfo kNameLevels[] = {
    {"exact", "完全一致", "exact match"},
    {"variant_fold", "異体字を同一視して一致", "equal after variant fold"},
    {"confusable", "紛らわしい別字のみ相違", "differs only in confusable characters"},
    {"edit1", "1文字相違", "one character differs"},
    {"different", "不一致", "different"},
    {"missing", "片方なし", "missing on one side", true},
};
constexpr LevelInfo kKanaLevels[] = {
    {"exact", "完全一致", "exact match"},
    {"phonetic", "読みとして一致", "equal as pronounced"},
    {"edit1", "読みが1文字相違", "reading differs by one character"},
    {"different", "不一致", "different"},
    {"missing", "片方なし", "missing on one side", true},
};
constexpr LevelInfo kConsistencyLevels[] = {
    {"both_agree", "漢字・カナとも一致", "kanji and kana both agree"},
    {"kana_only", "カナのみ一致", "only the kana agree"},
    {"kanji_only", "漢字のみ一致", "only the kanji agree"},
    {"kana_missing", "カナなし", "no kana on one side"},
    {"neither", "漢字・カナとも不一致", "neither agrees"},
    {"missing", "氏名なし", "no name on one side", true},
};
constexpr LevelInfo kBirthLevels[] = {
    {"exact", "完全一致", "exact match"},
    {"day_month_swap", "月日の入れ違い", "day and month swapped"},
    {"one_digit", "1桁相違", "one digit differs"},
    {"era_mixup", "元号の取り違え", "era mix-up"},
    {"year_off1", "1年違い（月日一致）", "one year apart, same month and day"},
    {"different", "不一致", "different"},
    {"missing", "片方なし", "missing on one side", true},
};
constexpr LevelInfo kSexLevels[] = {
    {"agree", "一致", "agree"},
    {"disagree", "不一致", "disagree"},
    {"missing", "片方なし", "missing on one side", true},
};
constexpr LevelInfo kPhoneLevels[] = {
    {"exact", "一致", "exact match"},
    {"exact_shared", "一致（共有番号）", "exact match of a shared number"},
    {"different", "不一致", "different"},
    {"missing", "片方なし", "missing on one side", true},
};
constexpr LevelInfo kAddressLevels[] = {
    {"same_town", "市区町村・町名まで一致", "same municipality and town"},
    {"same_municipality", "市区町村のみ一致（町名なし）", "same municipality, no town"},
    {"town_differs", "市区町村一致・町名相違", "same municipality, different town"},
    {"different", "市区町村が相違", "different municipality"},
    {"missing", "片方なし", "missing on one side", true},
};

constexpr FieldInfo kFields[kFieldCount] = {
    {"kanji_name", "氏名", "name", kNameLevels},
    {"kana", "カナ", "kana", kKanaLevels},
    {"name_consistency", "氏名とカナの整合", "name/kana consistency", kConsistencyLevels},
    {"birth_date", "生年月日", "birth date", kBirthLevels},
    {"sex", "性別", "sex", kSexLevels},
    {"phone", "電話番号", "phone", kPhoneLevels},
    {"address", "住所", "address", kAddressLevels},
};

// Era start dates (the first day of year 1 of each era).
struct EraStart {
  int year, month, day;
};
constexpr EraStart kEraStarts[] = {
    {1868, 10, 23}, {1912, 7, 30}, {1926, 12, 25}, {1989, 1, 8}, {2019, 5, 1}};

bool Before(const core::Ymd& d, const EraStart& e) {
  if (d.year != e.year) return d.year < e.year;
  if (d.month != e.month) return d.month < e.month;
  return d.day < e.day;
}

bool AgreeName(NameLevel l) { return l == NameLevel::kExact || l == NameLevel::kVariantFold; }
bool AgreeKana(KanaLevel l) { return l == KanaLevel::kExact || l == KanaLevel::kPhonetic; }

}  // namespace

uint32_t ComparisonVector::Pack() const {
  uint32_t code = 0;
  for (size_t i = 0; i < kFieldCount; ++i) code |= static_cast<uint32_t>(levels[i] & 7u) << (3 * i);
  return code;
}

const FieldInfo& DescribeField(Field field) { return kFields[static_cast<size_t>(field)]; }

EraYear ToEraYear(core::Date date) {
  const core::Ymd d = date.ToYmd();
  EraYear out;
  for (int e = 0; e < 5; ++e) {
    if (Before(d, kEraStarts[e])) break;
    out.era = e + 1;
    out.year = d.year - kEraStarts[e].year + 1;
  }
  return out;
}

NameLevel CompareKanjiName(const PersonKeys& a, const PersonKeys& b) {
  if (a.name_folded.empty() || b.name_folded.empty()) return NameLevel::kMissing;
  if (a.name_key == b.name_key) return NameLevel::kExact;
  if (a.name_folded == b.name_folded) return NameLevel::kVariantFold;
  const std::u32string x = ToCodePoints(a.name_folded);
  const std::u32string y = ToCodePoints(b.name_folded);
  if (x.size() == y.size()) {
    bool only_confusable = true;
    for (size_t i = 0; i < x.size() && only_confusable; ++i) {
      if (x[i] != y[i] && !text::AreConfusable(x[i], y[i])) only_confusable = false;
    }
    if (only_confusable) return NameLevel::kConfusable;
  }
  if (EditDistance(x, y, 1) <= 1) return NameLevel::kEdit1;
  return NameLevel::kDifferent;
}

KanaLevel CompareKana(const PersonKeys& a, const PersonKeys& b) {
  if (a.kana_phonetic.empty() || b.kana_phonetic.empty()) return KanaLevel::kMissing;
  if (a.kana_key == b.kana_key) return KanaLevel::kExact;
  if (a.kana_phonetic == b.kana_phonetic) return KanaLevel::kPhonetic;
  if (EditDistance(a.kana_phonetic, b.kana_phonetic, 1) <= 1) return KanaLevel::kEdit1;
  return KanaLevel::kDifferent;
}

ConsistencyLevel CompareConsistency(NameLevel name, KanaLevel kana) {
  if (name == NameLevel::kMissing) return ConsistencyLevel::kMissing;
  if (kana == KanaLevel::kMissing) return ConsistencyLevel::kKanaMissing;
  const bool n = AgreeName(name);
  const bool k = AgreeKana(kana);
  if (n && k) return ConsistencyLevel::kBothAgree;
  if (k) return ConsistencyLevel::kKanaOnly;
  if (n) return ConsistencyLevel::kKanjiOnly;
  return ConsistencyLevel::kNeither;
}

BirthLevel CompareBirthDate(const std::optional<core::Date>& a,
                            const std::optional<core::Date>& b) {
  if (!a || !b) return BirthLevel::kMissing;
  if (*a == *b) return BirthLevel::kExact;
  const core::Ymd x = a->ToYmd();
  const core::Ymd y = b->ToYmd();
  if (x.year == y.year && x.month == y.day && x.day == y.month) return BirthLevel::kDayMonthSwap;
  const std::string sx = a->ToIso();
  const std::string sy = b->ToIso();
  int differing = 0;
  for (size_t i = 0; i < sx.size() && i < sy.size(); ++i) differing += sx[i] != sy[i] ? 1 : 0;
  if (sx.size() == sy.size() && differing == 1) return BirthLevel::kOneDigit;
  if (x.month == y.month && x.day == y.day) {
    const EraYear ex = ToEraYear(*a);
    const EraYear ey = ToEraYear(*b);
    if (ex.era != ey.era && ex.era > 0 && ey.era > 0 && ex.year == ey.year) {
      return BirthLevel::kEraMixup;
    }
    if (std::abs(x.year - y.year) == 1) return BirthLevel::kYearOff1;
  }
  return BirthLevel::kDifferent;
}

SexLevel CompareSex(std::string_view a, std::string_view b) {
  if (a.empty() || b.empty()) return SexLevel::kMissing;
  return a == b ? SexLevel::kAgree : SexLevel::kDisagree;
}

PhoneLevel ComparePhone(const PersonKeys& incoming, const PersonKeys& candidate,
                        int64_t shared_threshold) {
  if (incoming.phone_key.empty() || candidate.phone_key.empty()) return PhoneLevel::kMissing;
  if (incoming.phone_key != candidate.phone_key) return PhoneLevel::kDifferent;
  return candidate.phone_shared_count >= shared_threshold ? PhoneLevel::kExactShared
                                                          : PhoneLevel::kExact;
}

AddressLevel CompareAddress(const PersonKeys& a, const PersonKeys& b) {
  if (a.municipality_code.empty() || b.municipality_code.empty()) return AddressLevel::kMissing;
  if (a.municipality_code != b.municipality_code) return AddressLevel::kDifferent;
  if (a.town.empty() || b.town.empty()) return AddressLevel::kSameMunicipality;
  return a.town == b.town ? AddressLevel::kSameTown : AddressLevel::kTownDiffers;
}

ComparisonVector Compare(const PersonKeys& incoming, const PersonKeys& candidate,
                         const CompareOptions& options) {
  ComparisonVector v;
  const NameLevel name = CompareKanjiName(incoming, candidate);
  const KanaLevel kana = CompareKana(incoming, candidate);
  v.Set(Field::kKanjiName, static_cast<uint8_t>(name));
  v.Set(Field::kKana, static_cast<uint8_t>(kana));
  v.Set(Field::kNameConsistency, static_cast<uint8_t>(CompareConsistency(name, kana)));
  v.Set(Field::kBirthDate,
        static_cast<uint8_t>(CompareBirthDate(incoming.birth_date, candidate.birth_date)));
  v.Set(Field::kSex, static_cast<uint8_t>(CompareSex(incoming.sex, candidate.sex)));
  v.Set(Field::kPhone, static_cast<uint8_t>(
                           ComparePhone(incoming, candidate, options.phone_shared_threshold)));
  v.Set(Field::kAddress, static_cast<uint8_t>(CompareAddress(incoming, candidate)));
  return v;
}

NameParts SplitNames(const PersonKeys& a, const PersonKeys& b) {
  NameParts p;
  if (a.name_split && b.name_split) {
    p.family_a = a.family_folded;
    p.given_a = a.given_folded;
    p.family_b = b.family_folded;
    p.given_b = b.given_folded;
    p.known = true;
    return p;
  }
  // One side unsplit: borrow the other side's family name when it fits.
  const PersonKeys& split = a.name_split ? a : b;
  const PersonKeys& unsplit = a.name_split ? b : a;
  if (!split.name_split || split.family_folded.empty() ||
      !unsplit.name_folded.starts_with(split.family_folded)) {
    return p;
  }
  const std::string family = split.family_folded;
  const std::string given = unsplit.name_folded.substr(family.size());
  if (a.name_split) {
    p.family_a = a.family_folded;
    p.given_a = a.given_folded;
    p.family_b = family;
    p.given_b = given;
  } else {
    p.family_a = family;
    p.given_a = given;
    p.family_b = b.family_folded;
    p.given_b = b.given_folded;
  }
  p.known = true;
  return p;
}

}  // namespace ichigen::identity
