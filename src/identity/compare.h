// Field comparison for identity matching: two PersonKeys in, one comparison
// level per field out (a ComparisonVector), the input to the Fellegi–Sunter
// model (model.h). Each field has its own enum of levels, ordered from the
// strongest agreement to disagreement, with a final kMissing level (one side
// has no value) that the model always weighs 0. The level tables
// (DescribeField) give each level a stable key for JSON and a Japanese and
// English description for the review queue.
//
// Why these levels: they are the ways hand-typed sheets actually differ from
// HER-SYS: old/variant kanji (髙/高), kana written by ear (ユウコ/ユーコ),
// one mistyped character, birth dates with day and month swapped, one digit
// wrong or the wrong 和暦 era (S5 for H5), numbers shared by a household.
// A difference that consists only of confusable characters (斎/斉, 崎/埼) is a
// level of its own, never agreement: those are different names.
// Thread-safety: pure functions over immutable tables.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string_view>

#include "identity/person.h"

namespace ichigen::identity {

enum class Field : uint8_t {
  kKanjiName,
  kKana,
  kNameConsistency,
  kBirthDate,
  kSex,
  kPhone,
  kAddress,
};
inline constexpr size_t kFieldCount = 7;

enum class NameLevel : uint8_t {
  kExact,        // same characters
  kVariantFold,  // same after the variant fold (髙橋/高橋)
  kConfusable,   // differs only in confusable characters (斎藤/斉藤): not agreement
  kEdit1,        // one edit apart after the fold
  kDifferent,
  kMissing,
};

enum class KanaLevel : uint8_t {
  kExact,     // same katakana
  kPhonetic,  // same phonetic key (ユウコ/ユーコ)
  kEdit1,     // phonetic keys one edit apart
  kDifferent,
  kMissing,
};

// Whether the kanji name and the reading tell the same story.
enum class ConsistencyLevel : uint8_t {
  kBothAgree,    // kanji agree (exact or fold) and kana agree (exact or phonetic)
  kKanaOnly,     // kana agree, kanji do not (another way to write the name, or a typo)
  kKanjiOnly,    // kanji agree, kana do not (a misheard reading, or another reading)
  kKanaMissing,  // a side has no kana: only the kanji can speak
  kNeither,      // neither agrees
  kMissing,      // a side has no name
};

enum class BirthLevel : uint8_t {
  kExact,
  kDayMonthSwap,  // 1970-03-02 / 1970-02-03
  kOneDigit,      // YYYYMMDD differ in one digit
  kEraMixup,      // same 和暦 year number in another era (S5/H5 = 1930/1993)
  kYearOff1,      // same month and day, one year apart
  kDifferent,
  kMissing,
};

enum class SexLevel : uint8_t { kAgree, kDisagree, kMissing };

enum class PhoneLevel : uint8_t {
  kExact,        // same number, used by no other patient
  kExactShared,  // same number, but shared (household, facility)
  kDifferent,
  kMissing,
};

enum class AddressLevel : uint8_t {
  kSameTown,          // same municipality and same town
  kSameMunicipality,  // same municipality, a side has no town
  kTownDiffers,       // same municipality, different towns
  kDifferent,         // different municipalities
  kMissing,
};

// The levels of one pair, one byte per field, indexed by Field.
struct ComparisonVector {
  std::array<uint8_t, kFieldCount> levels{};

  uint8_t Level(Field f) const { return levels[static_cast<size_t>(f)]; }
  void Set(Field f, uint8_t level) { levels[static_cast<size_t>(f)] = level; }
  NameLevel name() const { return static_cast<NameLevel>(Level(Field::kKanjiName)); }
  KanaLevel kana() const { return static_cast<KanaLevel>(Level(Field::kKana)); }
  ConsistencyLevel consistency() const {
    return static_cast<ConsistencyLevel>(Level(Field::kNameConsistency));
  }
  BirthLevel birth() const { return static_cast<BirthLevel>(Level(Field::kBirthDate)); }
  SexLevel sex() const { return static_cast<SexLevel>(Level(Field::kSex)); }
  PhoneLevel phone() const { return static_cast<PhoneLevel>(Level(Field::kPhone)); }
  AddressLevel address() const { return static_cast<AddressLevel>(Level(Field::kAddress)); }
  // A compact code of all levels (3 bits per field), for grouping pairs.
  uint32_t Pack() const;

  friend bool operator==(const ComparisonVector&, const ComparisonVector&) = default;
};

struct LevelInfo {
  std::string_view key;  // stable, used in the model JSON
  std::string_view ja;   // for the review queue
  std::string_view en;
  bool missing = false;  // the "one side has no value" level: weight 0
};

struct FieldInfo {
  std::string_view key;  // stable, used in the model JSON
  std::string_view ja;
  std::string_view en;
  std::span<const LevelInfo> levels;
};

const FieldInfo& DescribeField(Field field);
inline constexpr std::array<Field, kFieldCount> kAllFields = {
    Field::kKanjiName, Field::kKana,  Field::kNameConsistency, Field::kBirthDate,
    Field::kSex,       Field::kPhone, Field::kAddress};

struct CompareOptions {
  // A phone number used by at least this many stored patients is "shared".
  int64_t phone_shared_threshold = 2;
};

// Compares `incoming` (a row) with `candidate` (a stored patient). The
// phone's shared count is taken from the candidate, which the store knows.
ComparisonVector Compare(const PersonKeys& incoming, const PersonKeys& candidate,
                         const CompareOptions& options = {});

// The single-field comparisons, exposed for tests and for the review queue.
NameLevel CompareKanjiName(const PersonKeys& a, const PersonKeys& b);
KanaLevel CompareKana(const PersonKeys& a, const PersonKeys& b);
ConsistencyLevel CompareConsistency(NameLevel name, KanaLevel kana);
BirthLevel CompareBirthDate(const std::optional<core::Date>& a,
                            const std::optional<core::Date>& b);
SexLevel CompareSex(std::string_view a, std::string_view b);
PhoneLevel ComparePhone(const PersonKeys& incoming, const PersonKeys& candidate,
                        int64_t shared_threshold);
AddressLevel CompareAddress(const PersonKeys& a, const PersonKeys& b);

// The 和暦 era of a date and its year number within the era (令和 = 5,
// 平成 = 4, 昭和 = 3, 大正 = 2, 明治 = 1; 0 before 明治).
struct EraYear {
  int era = 0;
  int year = 0;
};
EraYear ToEraYear(core::Date date);

// Family and given name of each side, the split taken from the other side
// when one side wrote its name without a space ("佐藤太郎" against
// "佐藤 次郎" splits as 佐藤/太郎). Folded forms. Empty when neither side has
// a split, or the unsplit name does not start with the other's family name.
struct NameParts {
  std::string family_a, given_a, family_b, given_b;
  bool known = false;
};
NameParts SplitNames(const PersonKeys& a, const PersonKeys& b);

}  // namespace ichigen::identity
