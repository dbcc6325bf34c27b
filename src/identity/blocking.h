// Blocking: the short keys under which the store indexes every patient, so
// that a row is compared only with the patients that share at least one key
// with it (a few dozen, not a million). Each rule survives a different kind
// of error, so that a row with one error still meets its patient through
// another rule:
//
//   rule            key text                        survives errors in
//   kBirthFamily    "bf|19700302|サトウ"            given name, phone, address
//   kBirthGiven     "bg|19700302|タロウ"            family name, phone, address
//   kBirthPhone     "bp|19700302|09012345678"       name and kana
//   kNameYear       "ny|1970|佐藤太郎"              month/day, kana, phone
//   kKanaPlace      "kp|131016|サトウタロウ"        birth date, kanji
//   kNamePlace      "np|131016|佐藤太郎"            birth date, kana
//   kPhone          "ph|09012345678"                name, kana, birth date, address
//   kKana           "kn|サトウタロウ"                birth date, kanji, address
//   kName           "nm|佐藤太郎"                    birth date, kana, address
//   kBirthPlace     "bm|19700302|131016"            name and kana, phone
//
// The last four were added when the evaluation showed that a row with two
// errors (a birth-date error and no address, say) met no rule of the first
// six: 2.8% of rows whose person existed never reached scoring. A phone is
// the one key that survives every name and birth-date error, and a whole
// name (kanji or kana) the one that survives a birth-date error with the
// address missing.
//
// Kana keys are phonetic keys (ユウコ and ユーコ meet), kanji keys are
// variant-folded (髙 and 高 meet). A rule whose fields are missing yields no
// key. The store skips (and counts) blocks larger than a set size: a key
// shared by hundreds of patients (a facility phone) finds nothing useful.
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "identity/person.h"

namespace ichigen::identity {

enum class BlockingRule : uint8_t {
  kBirthFamily,
  kBirthGiven,
  kBirthPhone,
  kNameYear,
  kKanaPlace,
  kNamePlace,
  kPhone,
  kKana,
  kName,
  kBirthPlace,
};
inline constexpr size_t kBlockingRuleCount = 10;

std::string_view BlockingRuleName(BlockingRule rule);

struct BlockingKey {
  BlockingRule rule;
  std::string key;  // includes the rule's prefix: keys of different rules never collide
};

std::vector<BlockingKey> BlockingKeys(const PersonKeys& person);

// Blocks larger than this are skipped when searching (and counted).
inline constexpr size_t kDefaultMaxBlockSize = 500;

}  // namespace ichigen::identity
