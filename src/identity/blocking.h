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
};
inline constexpr size_t kBlockingRuleCount = 6;

std::string_view BlockingRuleName(BlockingRule rule);

struct BlockingKey {
  BlockingRule rule;
  std::string key;  // includes the rule's prefix: keys of different rules never collide
};

std::vector<BlockingKey> BlockingKeys(const PersonKeys& person);

// Blocks larger than this are skipped when searching (and counted).
inline constexpr size_t kDefaultMaxBlockSize = 500;

}  // namespace ichigen::identity
