#include "identity/blocking.h"

#include <cstdio>

namespace ichigen::identity {
namespace {

std::string Compact(const core::Date& d) {
  const core::Ymd y = d.ToYmd();
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d%02d%02d", y.year, y.month, y.day);
  return buf;
}

}  // namespace

std::string_view BlockingRuleName(BlockingRule rule) {
  switch (rule) {
    case BlockingRule::kBirthFamily: return "birth_family_kana";
    case BlockingRule::kBirthGiven: return "birth_given_kana";
    case BlockingRule::kBirthPhone: return "birth_phone";
    case BlockingRule::kNameYear: return "name_birth_year";
    case BlockingRule::kKanaPlace: return "kana_municipality";
    case BlockingRule::kNamePlace: return "name_municipality";
    case BlockingRule::kPhone: return "phone";
    case BlockingRule::kKana: return "kana";
    case BlockingRule::kName: return "name";
    case BlockingRule::kBirthPlace: return "birth_municipality";
  }
  return "unknown";
}

std::vector<BlockingKey> BlockingKeys(const PersonKeys& p) {
  std::vector<BlockingKey> keys;
  keys.reserve(kBlockingRuleCount);
  if (p.birth_date) {
    const std::string date = Compact(*p.birth_date);
    if (!p.kana_family.empty()) {
      keys.push_back({BlockingRule::kBirthFamily, "bf|" + date + "|" + p.kana_family});
    }
    if (!p.kana_given.empty()) {
      keys.push_back({BlockingRule::kBirthGiven, "bg|" + date + "|" + p.kana_given});
    }
    if (!p.phone_key.empty()) {
      keys.push_back({BlockingRule::kBirthPhone, "bp|" + date + "|" + p.phone_key});
    }
    if (!p.name_folded.empty()) {
      keys.push_back(
          {BlockingRule::kNameYear, "ny|" + date.substr(0, 4) + "|" + p.name_folded});
    }
    if (!p.municipality_code.empty()) {
      keys.push_back({BlockingRule::kBirthPlace, "bm|" + date + "|" + p.municipality_code});
    }
  }
  if (!p.municipality_code.empty()) {
    if (!p.kana_phonetic.empty()) {
      keys.push_back(
          {BlockingRule::kKanaPlace, "kp|" + p.municipality_code + "|" + p.kana_phonetic});
    }
    if (!p.name_folded.empty()) {
      keys.push_back(
          {BlockingRule::kNamePlace, "np|" + p.municipality_code + "|" + p.name_folded});
    }
  }
  if (!p.phone_key.empty()) keys.push_back({BlockingRule::kPhone, "ph|" + p.phone_key});
  if (!p.kana_phonetic.empty()) keys.push_back({BlockingRule::kKana, "kn|" + p.kana_phonetic});
  if (!p.name_folded.empty()) keys.push_back({BlockingRule::kName, "nm|" + p.name_folded});
  return keys;
}

}  // namespace ichigen::identity
