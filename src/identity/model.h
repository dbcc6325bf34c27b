// The Fellegi–Sunter scoring model of identity matching.
//
// ModelParameters holds, for every comparison level of every field
// (compare.h), m = P(level | same person) and u = P(level | different
// people among the candidate pairs blocking produces); a level's weight is
// log2(m/u), and a pair's score is the sum of its fields' weights (the
// "missing" levels weigh 0) — except that the kanji name and the kana, two
// records of one fact, count once: when both sides have both, only the
// stronger of the two weights is added (the other is shown, weighing 0). The parameters also carry the decision
// thresholds (decision.h) and the term-frequency limits, and are read from
// and written to JSON so the store can keep the estimated ones; the shipped
// defaults are data/identity/default_model.json.
//
// EstimateUFromRandomPairs measures u on random pairs of stored patients;
// EstimateParameters then re-estimates m (and the match share, and u unless
// told to keep it) from unlabelled candidate pairs by expectation–
// maximisation under conditional independence, so the weights follow the
// data a prefecture actually has.
//
// NameFrequency counts folded family names over the stored patients: an
// agreement on a common name (佐藤) is weaker evidence than on a rare one,
// so name agreement is adjusted by log2(ū/f), where f is the name's share
// and ū the chance two random patients share a family name, within limits.
//
// Thread-safety: ModelParameters is a value; Score, EstimateParameters and
// EstimateUFromRandomPairs are pure; NameFrequency is not thread-safe while it is being filled and
// safe to read concurrently afterwards.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/result.h"
#include "identity/compare.h"

namespace ichigen::identity {

struct LevelProbabilities {
  double m = 0.5;  // P(level | same person)
  double u = 0.5;  // P(level | different people)
};

struct Thresholds {
  double auto_link = 30.0;  // a top score at or above this may be linked
  double review = 10.0;     // at or above this (and not linked): review queue
  double margin = 8.0;      // the top must beat the second by at least this
};

struct TermFrequencyLimits {
  double max_bonus = 2.0;    // a rare name adds at most this many bits
  double max_penalty = 6.0;  // a common name removes at most this many bits
  // ū for a caller that counts names in the store instead of filling a
  // NameFrequency (intake's IdentityLinker): the chance two random patients
  // share a family name. 0.0037 was measured on the family names of the
  // 1,000,000-patient synthetic store (docs/benchmarks.md "Identity").
  double family_coincidence = 0.0037;
  // Fewer stored patients than this say nothing about how common a name
  // is: no adjustment.
  int64_t min_patients = 1000;
};

struct ModelParameters {
  // Indexed by Field, then by level (the missing level included; ignored).
  std::array<std::vector<LevelProbabilities>, kFieldCount> fields;
  double match_prior = 0.1;  // share of candidate pairs that are matches (EM)
  Thresholds thresholds;
  TermFrequencyLimits term_frequency;
  int64_t phone_shared_threshold = 2;

  // log2(m/u) of the level; 0 for a missing level.
  double Weight(Field field, uint8_t level) const;
  const LevelProbabilities& At(Field field, uint8_t level) const {
    return fields[static_cast<size_t>(field)][level];
  }
  LevelProbabilities& At(Field field, uint8_t level) {
    return fields[static_cast<size_t>(field)][level];
  }
};

// Parses the model JSON. kInvalidArgument naming the field when it is not
// JSON, a level is unknown or absent, or a probability is outside (0, 1].
core::Result<ModelParameters> ModelFromJson(std::string_view json);
std::string ModelToJson(const ModelParameters& model);
// data/identity/default_model.json, parsed.
core::Result<ModelParameters> LoadDefaultModel();

// Counts of folded family names over the stored patients.
class NameFrequency {
 public:
  void Add(const std::string& value);  // once per patient; "" is ignored
  int64_t Count(const std::string& value) const;
  int64_t Total() const { return total_; }
  // log2(ū/f) for `value`, clamped to [-max_penalty, +max_bonus]; 0 while
  // the table is empty. ū = Σ f² is the chance two random patients share a
  // family name; f is this name's share (at least one count).
  double Adjustment(const std::string& value, const TermFrequencyLimits& limits) const;

 private:
  std::unordered_map<std::string, int64_t> counts_;
  int64_t total_ = 0;
  double sum_squares_ = 0;  // Σ count²
};

// The term-frequency adjustment for a pair: the candidate's family name (or
// whole folded name when unsplit) looked up in `frequency`. Only name
// agreement is adjusted (Score applies it to the exact and fold levels).
double NameAdjustment(const NameFrequency& frequency, const PersonKeys& candidate,
                      const TermFrequencyLimits& limits);

// The same adjustment from counts kept elsewhere (the store): log2(ū/f)
// with ū = limits.family_coincidence and f = count/total (count at least
// 1), clamped; 0 when total is below limits.min_patients.
double TermFrequencyAdjustment(int64_t count, int64_t total, const TermFrequencyLimits& limits);

// The folded family name whose frequency adjusts the pair's name agreement
// when names are counted in the store: the candidate's family name, or,
// when the candidate's name was written without a space, the row's family
// name if the candidate's folded name begins with it; "" when neither side
// says where the family name ends (no adjustment: a whole name's rarity is
// not a family name's).
std::string FamilyNameForFrequency(const PersonKeys& row, const PersonKeys& candidate);

// Whether the name comparison is one the adjustment applies to (exact or
// variant-fold agreement).
bool NameAgreementAdjusted(const ComparisonVector& v);

struct FieldContribution {
  Field field = Field::kKanjiName;
  uint8_t level = 0;
  double weight = 0;         // including any term-frequency adjustment
  std::string explanation_ja;  // 氏名: 異体字を同一視して一致 (+8.1)
  std::string explanation_en;  // name: equal after variant fold (+8.1)
};

struct ScoreResult {
  double total = 0;
  std::vector<FieldContribution> fields;  // one per field, in Field order
};

// The total weight alone (no text), for scoring many pairs.
double TotalWeight(const ModelParameters& model, const ComparisonVector& v,
                   double name_adjustment = 0.0);
// The total with each field's contribution explained.
ScoreResult Score(const ModelParameters& model, const ComparisonVector& v,
                  double name_adjustment = 0.0);

struct EstimateOptions {
  int max_iterations = 200;
  double tolerance = 1e-6;   // stop when no probability moves more than this
  double pseudo_count = 0.5;  // added to every level's count: no zero probability
  // Keep u as given and estimate only m and the match share. Candidate pairs
  // from blocking are mostly matches and agree on their blocking fields, so
  // they say little about u; u is better taken from random pairs of stored
  // patients (or the defaults), as Splink does.
  bool fix_u = false;
};

struct Estimate {
  ModelParameters parameters;  // thresholds and limits kept from `initial`
  int iterations = 0;
  bool converged = false;
  double log_likelihood = 0;
};

// u from random pairs of stored patients: for each field, the share of
// random pairs at each level (missing sides left out, a pseudo count added
// so no level is 0). Almost every random pair is two different people, so
// this is u itself, not an EM guess; candidate pairs cannot give it, because
// blocking picked them for agreeing. `initial` supplies everything else (m,
// thresholds), which is returned unchanged. kInvalidArgument when there are
// fewer than two patients, `pairs` is not positive, or `initial` lacks a
// field's levels. Deterministic for a given seed.
struct RandomPairOptions {
  int64_t pairs = 1'000'000;
  uint64_t seed = 1;
  double pseudo_count = 0.5;
  CompareOptions compare;
};
core::Result<ModelParameters> EstimateUFromRandomPairs(std::span<const PersonKeys> people,
                                                       const ModelParameters& initial,
                                                       const RandomPairOptions& options = {});

// EM over unlabelled candidate pairs. kInvalidArgument when `pairs` is empty
// or `initial` lacks a field's levels. `initial` must say which way round
// the classes are (agreement levels with m > u).
core::Result<Estimate> EstimateParameters(std::span<const ComparisonVector> pairs,
                                          const ModelParameters& initial,
                                          const EstimateOptions& options = {});

}  // namespace ichigen::identity
