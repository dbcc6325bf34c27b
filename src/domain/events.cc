#include "domain/events.h"

#include <array>
#include <string>

namespace ichigen::domain {
namespace {

struct EventTypeName {
  EventType type;
  std::string_view ja;
  std::string_view en;
};

constexpr std::array<EventTypeName, kEventTypeCount> kEventTypeNames = {{
    {EventType::kNotified, "新規届出", "notified"},
    {EventType::kAdmitted, "入院", "admitted"},
    {EventType::kTransferred, "転院", "transferred"},
    {EventType::kDischarged, "退院", "discharged"},
    {EventType::kCheckedIn, "入所", "checked_in"},
    {EventType::kCheckedOut, "退所", "checked_out"},
    {EventType::kHomeStarted, "自宅療養開始", "home_started"},
    {EventType::kExtended, "療養延長", "extended"},
    {EventType::kReleased, "療養解除", "released"},
    {EventType::kDied, "死亡", "died"},
    {EventType::kCorrected, "訂正", "corrected"},
    {EventType::kWithdrawn, "届出取下げ", "withdrawn"},
}};

// Spellings seen on real update sheets besides the canonical names.
struct Synonym {
  std::string_view text;
  EventType type;
};
constexpr std::array<Synonym, 6> kEventTypeSynonyms = {{
    {"届出取り下げ", EventType::kWithdrawn},
    {"取下げ", EventType::kWithdrawn},
    {"取り下げ", EventType::kWithdrawn},
    {"療養期間延長", EventType::kExtended},
    {"自宅療養", EventType::kHomeStarted},
    {"新規", EventType::kNotified},
}};

struct CareStatusName {
  CareStatus status;
  std::string_view ja;
  std::string_view en;
};

constexpr std::array<CareStatusName, kCareStatusCount> kCareStatusNames = {{
    {CareStatus::kArranging, "調整中", "arranging"},
    {CareStatus::kHospitalized, "入院中", "hospitalized"},
    {CareStatus::kLodging, "宿泊療養中", "lodging"},
    {CareStatus::kHomeRecuperation, "自宅療養中", "home_recuperation"},
    {CareStatus::kReleased, "療養解除", "released"},
    {CareStatus::kDead, "死亡", "dead"},
    {CareStatus::kUnknown, "不明", "unknown"},
}};

struct StatusSynonym {
  std::string_view text;
  CareStatus status;
};
// HER-SYS and press sheets use short and long forms.
constexpr std::array<StatusSynonym, 7> kCareStatusSynonyms = {{
    {"入院・療養等調整中", CareStatus::kArranging},
    {"入院調整中", CareStatus::kArranging},
    {"入院", CareStatus::kHospitalized},
    {"宿泊療養", CareStatus::kLodging},
    {"自宅療養", CareStatus::kHomeRecuperation},
    {"解除", CareStatus::kReleased},
    {"退院等", CareStatus::kReleased},
}};

// Trims ASCII whitespace and U+3000 IDEOGRAPHIC SPACE from both ends.
std::string_view Trim(std::string_view s) {
  constexpr std::string_view kIdeographicSpace = "\xE3\x80\x80";
  bool changed = true;
  while (changed && !s.empty()) {
    changed = false;
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t' ||
                          s.front() == '\r' || s.front() == '\n')) {
      s.remove_prefix(1);
      changed = true;
    }
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' ||
                          s.back() == '\r' || s.back() == '\n')) {
      s.remove_suffix(1);
      changed = true;
    }
    if (s.starts_with(kIdeographicSpace)) {
      s.remove_prefix(kIdeographicSpace.size());
      changed = true;
    }
    if (s.ends_with(kIdeographicSpace)) {
      s.remove_suffix(kIdeographicSpace.size());
      changed = true;
    }
  }
  return s;
}

// Lower-cases ASCII and drops '_', '-' and ' ', so "Checked-In",
// "checked_in" and "CheckedIn" compare equal.
std::string FoldEnglish(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    if (c == '_' || c == '-' || c == ' ') continue;
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    out.push_back(c);
  }
  return out;
}

bool EnglishMatches(std::string_view folded, std::string_view en) {
  const std::string want = FoldEnglish(en);
  if (folded == want) return true;
  // Enumerator spelling: kCheckedIn.
  return folded.size() == want.size() + 1 && folded.front() == 'k' &&
         folded.substr(1) == want;
}

}  // namespace

std::string_view EventTypeNameJa(EventType type) {
  return kEventTypeNames[static_cast<size_t>(type)].ja;
}

std::string_view EventTypeNameEn(EventType type) {
  return kEventTypeNames[static_cast<size_t>(type)].en;
}

core::Result<EventType> ParseEventType(std::string_view text) {
  // The stores write the English names: an exact match is the fast path of
  // reading millions of stored events.
  for (const auto& n : kEventTypeNames) {
    if (text == n.en) return n.type;
  }
  const std::string_view t = Trim(text);
  for (const auto& n : kEventTypeNames) {
    if (t == n.ja) return n.type;
  }
  for (const auto& s : kEventTypeSynonyms) {
    if (t == s.text) return s.type;
  }
  const std::string folded = FoldEnglish(t);
  for (const auto& n : kEventTypeNames) {
    if (EnglishMatches(folded, n.en)) return n.type;
  }
  return core::Fail(core::Code::kInvalidArgument,
                    "異動区分が不明です: 「" + std::string(text) + "」",
                    "unknown event type: '" + std::string(text) + "'",
                    "event type");
}

std::string_view CareStatusNameJa(CareStatus status) {
  return kCareStatusNames[static_cast<size_t>(status)].ja;
}

std::string_view CareStatusNameEn(CareStatus status) {
  return kCareStatusNames[static_cast<size_t>(status)].en;
}

core::Result<CareStatus> ParseCareStatus(std::string_view text) {
  for (const auto& n : kCareStatusNames) {
    if (text == n.en) return n.status;
  }
  const std::string_view t = Trim(text);
  for (const auto& n : kCareStatusNames) {
    if (t == n.ja) return n.status;
  }
  for (const auto& s : kCareStatusSynonyms) {
    if (t == s.text) return s.status;
  }
  const std::string folded = FoldEnglish(t);
  for (const auto& n : kCareStatusNames) {
    if (EnglishMatches(folded, n.en)) return n.status;
  }
  return core::Fail(core::Code::kInvalidArgument,
                    "療養状況が不明です: 「" + std::string(text) + "」",
                    "unknown care status: '" + std::string(text) + "'",
                    "care status");
}

}  // namespace ichigen::domain
