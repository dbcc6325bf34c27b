// Decide: what to do with one incoming row given its scored candidates —
// link it to a stored patient, send it to the review queue with the best
// candidates, or (when nobody is close) create a new patient or reject the
// row, as the import profile says.
//
// Invariants (the identity link rules; the store and the review queue keep
// them too):
//  1. Nothing is linked on a guess. An automatic link needs (a) a top score
//     at or above thresholds.auto_link, (b) a lead of at least
//     thresholds.margin over the second candidate (when there is one), and
//     (c) no veto against the top candidate. Otherwise, with a top score at
//     or above thresholds.review (or any veto-bearing candidate there), the
//     row goes to review; below it, to a new person or a rejection.
//  2. A veto is never outweighed by score. Vetoes: conflicting HER-SYS IDs
//     (two notifications are two patients until a person says otherwise); a
//     sex conflict (both known, different); twins (same family name, birth
//     date — or one slip of it — and address or phone, but another given
//     name in both kanji and kana — the classic false merge); a name that differs only in
//     confusable characters (斎藤/斉藤 are different families); an address
//     that contradicts (another town of the same municipality, or another
//     municipality) with no personal phone number agreeing — a namesake born
//     the same day, or a person who moved: either way a person must look.
//     (The evaluation found all of its false links there: name, kana and
//     birth date agreeing add up to more than any threshold a missing phone
//     and a mildly negative town weight can hold back.); a birth date that
//     contradicts (both known, and not one of the known slips: swap, one
//     digit, era, one year) — a household member who shares the name
//     (father and son), or a wrong date: a person must look; a name that
//     contradicts (kanji different, and the kana different or absent) — a
//     household member, or a stranger born the same day in the same town.
//  3. A HER-SYS ID naming a candidate is strong evidence, not proof: it links
//     without a score threshold or margin, but only when the candidate's name
//     (kanji or kana) or birth date corroborates it and no veto applies;
//     an ID whose patient the name and birth date both contradict goes to
//     review (a mistyped ID must not merge two people). The address-, birth-
//     and name-conflict vetoes do not apply here: an ID corroborated by the
//     name or the birth date is the personal evidence they ask for.
//  4. Links are star-shaped: a row is linked to one stored patient, never to
//     another row, and a decision never links two patients together (a
//     merge is an operator's act, recorded as its own event).
//  5. Deterministic: candidates are ranked by score, ties by patient id, so
//     importing the same sheet again reaches the same decisions.
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "identity/compare.h"
#include "identity/model.h"
#include "identity/person.h"

namespace ichigen::identity {

enum class Outcome {
  kAutoLink,   // linked to patient_id
  kReview,     // queued with the ranked candidates
  kNewPerson,  // nobody close: a new patient
  kReject,     // nobody close, and the profile may not create patients
};
std::string_view OutcomeName(Outcome outcome);

enum class Veto {
  kHersysIdConflict,  // HER-SYS IDs both present and different
  kSexConflict,       // sex both known and different
  kTwins,             // same family, birth date, address/phone; another given name
  kConfusableName,    // names differ only in confusable characters
  kAddressConflict,   // another town or municipality, and no personal phone agrees
  kBirthConflict,     // birth dates both known and not related by a known slip
  kNameConflict,      // kanji names differ, and the kana differ or are absent
};
std::string_view VetoName(Veto veto);
std::string_view VetoJa(Veto veto);

// What to do with a row nobody matches.
enum class UnmatchedAction { kNewPerson, kReject };

struct DecisionPolicy {
  Thresholds thresholds;
  UnmatchedAction unmatched = UnmatchedAction::kNewPerson;
  size_t max_review_candidates = 5;
};

struct ScoredCandidate {
  int64_t patient_id = 0;
  const PersonKeys* keys = nullptr;  // not null; owned by the caller
  ComparisonVector comparison;
  double score = 0;
};

struct Decision {
  Outcome outcome = Outcome::kNewPerson;
  int64_t patient_id = 0;       // kAutoLink: the patient linked
  bool by_hersys_id = false;    // linked on the row's HER-SYS ID
  std::vector<size_t> ranked;   // candidate indices, best first (at most max_review_candidates)
  std::vector<Veto> vetoes;     // against the top candidate
  double top_score = 0;
  double margin = 0;            // top minus second (the top score when alone)
  std::string reason_ja;
  std::string reason_en;
};

// The vetoes against linking `incoming` to `candidate`.
std::vector<Veto> FindVetoes(const PersonKeys& incoming, const PersonKeys& candidate,
                             const ComparisonVector& comparison);

// Whether the candidate's name (kanji or kana) or birth date supports the
// pair (any agreement or known-typo level).
bool NameOrBirthCorroborates(const ComparisonVector& comparison);

Decision Decide(const PersonKeys& incoming, std::span<const ScoredCandidate> candidates,
                const DecisionPolicy& policy);

}  // namespace ichigen::identity
