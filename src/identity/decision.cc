#include "identity/decision.h"

#include <algorithm>
#include <cstdio>
#include <numeric>

namespace ichigen::identity {
namespace {

std::string Num(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", v);
  return buf;
}

// The reading of one side begins with the other side's family reading
// (one reading written without a space borrows the other's split).
bool KanaFamilyBorrowed(const PersonKeys& split, const PersonKeys& unsplit) {
  return !split.kana_family.empty() && unsplit.kana_family.empty() &&
         !unsplit.kana_phonetic.empty() && unsplit.kana_phonetic.starts_with(split.kana_family);
}

// The first character of a folded name (UTF-8).
std::string_view FirstCharacter(std::string_view name) {
  if (name.empty()) return name;
  size_t n = 1;
  while (n < name.size() && (static_cast<unsigned char>(name[n]) & 0xC0) == 0x80) ++n;
  return name.substr(0, n);
}

// Same family name, as far as the two records tell. Stored names are often
// written without a space (a third of HER-SYS exports do so), so when
// neither the kanji nor the readings say where the family name ends, two
// names beginning with the same character count as one family: the twin
// veto then errs towards review, never towards a link.
bool SameFamily(const PersonKeys& a, const PersonKeys& b, const NameParts& parts) {
  if (parts.known && !parts.family_a.empty() && parts.family_a == parts.family_b) return true;
  if (!a.kana_family.empty() && a.kana_family == b.kana_family) return true;
  if (KanaFamilyBorrowed(a, b) || KanaFamilyBorrowed(b, a)) return true;
  return !parts.known && !a.name_folded.empty() &&
         FirstCharacter(a.name_folded) == FirstCharacter(b.name_folded);
}

// Another given name in kanji and in kana. A missing reading cannot clear
// the suspicion, so it counts as differing; a reading that agrees means the
// kanji difference is a typo, not a sibling.
bool OtherGivenName(const PersonKeys& a, const PersonKeys& b, const NameParts& parts) {
  bool kanji_differs;
  if (parts.known && !parts.given_a.empty() && !parts.given_b.empty()) {
    kanji_differs = parts.given_a != parts.given_b;
  } else {
    kanji_differs = a.name_folded != b.name_folded;
  }
  if (!kanji_differs) return false;
  if (!a.kana_given.empty() && !b.kana_given.empty()) return a.kana_given != b.kana_given;
  if (!a.kana_phonetic.empty() && !b.kana_phonetic.empty()) {
    return a.kana_phonetic != b.kana_phonetic;
  }
  return true;
}

bool SameHousehold(const ComparisonVector& v) {
  return v.address() == AddressLevel::kSameTown || v.phone() == PhoneLevel::kExact ||
         v.phone() == PhoneLevel::kExactShared;
}

}  // namespace

std::string_view OutcomeName(Outcome outcome) {
  switch (outcome) {
    case Outcome::kAutoLink: return "auto_link";
    case Outcome::kReview: return "review";
    case Outcome::kNewPerson: return "new_person";
    case Outcome::kReject: return "reject";
  }
  return "unknown";
}

std::string_view VetoName(Veto veto) {
  switch (veto) {
    case Veto::kHersysIdConflict: return "hersys_id_conflict";
    case Veto::kSexConflict: return "sex_conflict";
    case Veto::kTwins: return "twins";
    case Veto::kConfusableName: return "confusable_name";
    case Veto::kAddressConflict: return "address_conflict";
    case Veto::kBirthConflict: return "birth_conflict";
    case Veto::kNameConflict: return "name_conflict";
  }
  return "unknown";
}

std::string_view VetoJa(Veto veto) {
  switch (veto) {
    case Veto::kHersysIdConflict: return "HER-SYS IDが異なる";
    case Veto::kSexConflict: return "性別が異なる";
    case Veto::kTwins: return "双子の可能性（姓・生年月日・住所または電話が同じで名が異なる）";
    case Veto::kConfusableName: return "紛らわしい別字のみ相違する氏名";
    case Veto::kAddressConflict:
      return "住所（町名または市区町村）が異なり、本人の電話番号の一致もない（転居か同姓同名の別人）";
    case Veto::kBirthConflict: return "生年月日が異なる（入力誤りの型に当てはまらない）";
    case Veto::kNameConflict: return "氏名が異なり、カナの一致もない";
  }
  return "不明";
}

std::vector<Veto> FindVetoes(const PersonKeys& incoming, const PersonKeys& candidate,
                             const ComparisonVector& v) {
  std::vector<Veto> vetoes;
  if (!incoming.hersys_id.empty() && !candidate.hersys_id.empty() &&
      incoming.hersys_id != candidate.hersys_id) {
    vetoes.push_back(Veto::kHersysIdConflict);
  }
  if (v.sex() == SexLevel::kDisagree) vetoes.push_back(Veto::kSexConflict);
  // A twin row may carry a birth-date slip too: any level that a slip of
  // the same date explains keeps the suspicion.
  const bool same_birth = v.birth() != BirthLevel::kDifferent && v.birth() != BirthLevel::kMissing;
  if (same_birth && SameHousehold(v)) {
    const NameParts parts = SplitNames(incoming, candidate);
    if (SameFamily(incoming, candidate, parts) && OtherGivenName(incoming, candidate, parts)) {
      vetoes.push_back(Veto::kTwins);
    }
  }
  if (v.name() == NameLevel::kConfusable) vetoes.push_back(Veto::kConfusableName);
  // A shared number (household, facility) does not single out the person,
  // so only a personal number can vouch for a move.
  const bool address_conflicts =
      v.address() == AddressLevel::kTownDiffers || v.address() == AddressLevel::kDifferent;
  if (address_conflicts && v.phone() != PhoneLevel::kExact) {
    vetoes.push_back(Veto::kAddressConflict);
  }
  if (v.birth() == BirthLevel::kDifferent) vetoes.push_back(Veto::kBirthConflict);
  if (v.name() == NameLevel::kDifferent &&
      (v.kana() == KanaLevel::kDifferent || v.kana() == KanaLevel::kMissing)) {
    vetoes.push_back(Veto::kNameConflict);
  }
  return vetoes;
}

bool NameOrBirthCorroborates(const ComparisonVector& v) {
  const NameLevel n = v.name();
  const KanaLevel k = v.kana();
  const BirthLevel b = v.birth();
  const bool name = n == NameLevel::kExact || n == NameLevel::kVariantFold ||
                    n == NameLevel::kEdit1 || k == KanaLevel::kExact ||
                    k == KanaLevel::kPhonetic || k == KanaLevel::kEdit1;
  const bool birth = b != BirthLevel::kDifferent && b != BirthLevel::kMissing;
  return name || birth;
}

Decision Decide(const PersonKeys& incoming, std::span<const ScoredCandidate> candidates,
                const DecisionPolicy& policy) {
  Decision d;
  std::vector<size_t> order(candidates.size());
  std::iota(order.begin(), order.end(), size_t{0});
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    if (candidates[a].score != candidates[b].score) return candidates[a].score > candidates[b].score;
    return candidates[a].patient_id < candidates[b].patient_id;
  });

  // Rule 3: the row's HER-SYS ID names a candidate.
  if (!incoming.hersys_id.empty()) {
    for (size_t i : order) {
      const ScoredCandidate& c = candidates[i];
      if (c.keys->hersys_id != incoming.hersys_id) continue;
      // The ID-named candidate leads the review list whatever its score.
      d.ranked.push_back(i);
      for (size_t j : order) {
        if (j != i && d.ranked.size() < policy.max_review_candidates) d.ranked.push_back(j);
      }
      d.top_score = c.score;
      d.vetoes = FindVetoes(incoming, *c.keys, c.comparison);
      // The ID, corroborated, is the personal evidence the address and
      // birth conflicts ask for: a patient who moved keeps the ID.
      std::erase(d.vetoes, Veto::kAddressConflict);
      std::erase(d.vetoes, Veto::kBirthConflict);
      std::erase(d.vetoes, Veto::kNameConflict);
      if (!NameOrBirthCorroborates(c.comparison)) {
        d.outcome = Outcome::kReview;
        d.reason_ja = "HER-SYS IDが示す患者と氏名・生年月日がともに一致しません";
        d.reason_en = "the HER-SYS ID names a patient whose name and birth date both disagree";
        return d;
      }
      if (!d.vetoes.empty()) {
        d.outcome = Outcome::kReview;
        d.reason_ja = "HER-SYS IDは一致しますが拒否条件があります: " + std::string(VetoJa(d.vetoes[0]));
        d.reason_en = "the HER-SYS ID matches but a veto applies: " + std::string(VetoName(d.vetoes[0]));
        return d;
      }
      d.outcome = Outcome::kAutoLink;
      d.patient_id = c.patient_id;
      d.by_hersys_id = true;
      d.reason_ja = "HER-SYS IDが一致し、氏名または生年月日も一致";
      d.reason_en = "HER-SYS ID matches, corroborated by name or birth date";
      return d;
    }
  }

  for (size_t i : order) {
    if (d.ranked.size() >= policy.max_review_candidates) break;
    d.ranked.push_back(i);
  }
  const Thresholds& t = policy.thresholds;
  if (order.empty() || candidates[order[0]].score < t.review) {
    d.outcome = policy.unmatched == UnmatchedAction::kNewPerson ? Outcome::kNewPerson
                                                                : Outcome::kReject;
    if (!order.empty()) d.top_score = candidates[order[0]].score;
    d.ranked.clear();
    d.reason_ja = order.empty() ? "候補者なし" : "候補者の点数が閾値未満 (" + Num(d.top_score) + ")";
    d.reason_en = order.empty() ? "no candidates"
                                : "best candidate below the review threshold (" + Num(d.top_score) + ")";
    return d;
  }
  const ScoredCandidate& top = candidates[order[0]];
  d.top_score = top.score;
  d.margin = order.size() > 1 ? top.score - candidates[order[1]].score : top.score;
  d.vetoes = FindVetoes(incoming, *top.keys, top.comparison);
  d.outcome = Outcome::kReview;
  if (!d.vetoes.empty()) {
    d.reason_ja = "拒否条件: " + std::string(VetoJa(d.vetoes[0]));
    d.reason_en = "veto: " + std::string(VetoName(d.vetoes[0]));
  } else if (top.score < t.auto_link) {
    d.reason_ja = "点数が自動連結の閾値未満 (" + Num(top.score) + " < " + Num(t.auto_link) + ")";
    d.reason_en = "score below the auto-link threshold (" + Num(top.score) + " < " +
                  Num(t.auto_link) + ")";
  } else if (order.size() > 1 && d.margin < t.margin) {
    d.reason_ja = "次点との差が小さい (" + Num(d.margin) + " < " + Num(t.margin) + ")";
    d.reason_en = "too close to the second candidate (" + Num(d.margin) + " < " +
                  Num(t.margin) + ")";
  } else {
    d.outcome = Outcome::kAutoLink;
    d.patient_id = top.patient_id;
    d.reason_ja = "点数 " + Num(top.score) + " で自動連結";
    d.reason_en = "auto-linked with score " + Num(top.score);
  }
  return d;
}

}  // namespace ichigen::identity
