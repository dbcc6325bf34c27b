#include "intake/identity_linker.h"

#include <nlohmann/json.hpp>

#include "identity/compare.h"

namespace ichigen::intake {

IdentityLinker::IdentityLinker(const identity::ModelParameters& model,
                               const geo::AddressResolver& resolver)
    : model_(model), resolver_(resolver) {}

identity::RawPerson IdentityLinker::RawFromRow(std::string name, std::string kana,
                                               std::string birth, std::string sex,
                                               std::string phone, std::string_view address,
                                               std::string hersys_id) const {
  identity::RawPerson raw;
  raw.name = std::move(name);
  raw.name_kana = std::move(kana);
  raw.birth_date = std::move(birth);
  raw.sex = std::move(sex);
  raw.phone = std::move(phone);
  raw.hersys_id = std::move(hersys_id);
  if (!address.empty()) {
    const geo::Residence residence = resolver_.Resolve(address);
    if (residence.municipality != nullptr && residence.confidence >= geo::Confidence::kMedium) {
      raw.municipality_code = residence.municipality->code6;
      raw.address_rest = residence.rest;
    }
  }
  return raw;
}

core::Result<LinkOutcome> IdentityLinker::Link(store::BatchWriter& writer,
                                               const identity::RawPerson& row) {
  return LinkWith(writer, row);
}

core::Result<LinkOutcome> IdentityLinker::Link(store::Store& store,
                                               const identity::RawPerson& row) {
  return LinkWith(store, row);
}

const identity::PersonKeys& IdentityLinker::KeysOf(const store::PatientRecord& p) {
  auto it = keys_.find(p.id);
  if (it != keys_.end() && it->second.content_hash == p.content_hash) return it->second.keys;
  identity::RawPerson raw =
      RawFromRow(p.name, p.name_kana, p.birth_date, p.sex, p.phone, p.address, p.hersys_id);
  if (raw.municipality_code.empty()) raw.municipality_code = p.municipality_code;
  CachedKeys& entry = keys_[p.id];
  entry.content_hash = p.content_hash;
  entry.keys = identity::MakeKeys(raw);
  return entry.keys;
}

template <typename Source>
core::Result<double> IdentityLinker::NameAdjustmentOf(Source& source,
                                                      const identity::PersonKeys& row,
                                                      const identity::PersonKeys& candidate) {
  const std::string family = identity::FamilyNameForFrequency(row, candidate);
  if (family.empty()) return 0.0;
  if (patients_ < 0) {
    ASSIGN_OR_RETURN(patients_, source.CountNamePrefix(""));
  }
  if (patients_ < model_.term_frequency.min_patients) return 0.0;
  auto it = family_counts_.find(family);
  if (it == family_counts_.end()) {
    if (family_counts_.size() >= kMaxCachedKeys) family_counts_.clear();
    ASSIGN_OR_RETURN(const int64_t count, source.CountNamePrefix(family));
    it = family_counts_.emplace(family, count).first;
  }
  return identity::TermFrequencyAdjustment(it->second, patients_, model_.term_frequency);
}

template <typename Source>
core::Result<LinkOutcome> IdentityLinker::LinkWith(Source& source,
                                                   const identity::RawPerson& row) {
  const identity::PersonKeys incoming = identity::MakeKeys(row);
  store::CandidateQuery query;
  if (incoming.birth_date) query.birth_date = incoming.birth_date->ToIso();
  query.name_folded = incoming.name_folded;
  query.kana_key = incoming.kana_phonetic;
  query.phone_key = incoming.phone_key;
  query.kana_family = incoming.kana_family;
  query.kana_given = incoming.kana_given;
  query.municipality_code = incoming.municipality_code;
  ASSIGN_OR_RETURN(store::CandidateSet set, source.FindCandidates(query));

  // The stored patients, seen the way the row is. The cache is cleared
  // before the row, never during it: `keys` points into it.
  if (keys_.size() + set.patients.size() > kMaxCachedKeys) keys_.clear();
  std::vector<const identity::PersonKeys*> keys;
  keys.reserve(set.patients.size());
  std::vector<identity::PersonKeys> shared_phone;  // candidates with the row's phone
  shared_phone.reserve(set.patients.size());
  for (const store::PatientRecord& p : set.patients) {
    const identity::PersonKeys& k = KeysOf(p);
    if (!k.phone_key.empty() && k.phone_key == incoming.phone_key) {
      shared_phone.push_back(k);
      shared_phone.back().phone_shared_count = set.phone_block_size;
      keys.push_back(&shared_phone.back());
    } else {
      keys.push_back(&k);
    }
  }
  identity::CompareOptions options;
  options.phone_shared_threshold = model_.phone_shared_threshold;
  std::vector<identity::ScoredCandidate> scored;
  std::vector<double> adjustments;
  scored.reserve(keys.size());
  adjustments.reserve(keys.size());
  for (size_t i = 0; i < keys.size(); ++i) {
    identity::ScoredCandidate candidate;
    candidate.patient_id = set.patients[i].id;
    candidate.keys = keys[i];
    candidate.comparison = identity::Compare(incoming, *keys[i], options);
    double adjustment = 0.0;
    if (identity::NameAgreementAdjusted(candidate.comparison)) {
      ASSIGN_OR_RETURN(adjustment, NameAdjustmentOf(source, incoming, *keys[i]));
    }
    candidate.score = identity::TotalWeight(model_, candidate.comparison, adjustment);
    scored.push_back(candidate);
    adjustments.push_back(adjustment);
  }
  identity::DecisionPolicy policy;
  policy.thresholds = model_.thresholds;
  policy.unmatched = identity::UnmatchedAction::kReject;

  LinkOutcome outcome;
  outcome.decision = identity::Decide(incoming, scored, policy);
  outcome.patient_id = outcome.decision.patient_id;
  outcome.candidates = static_cast<int64_t>(scored.size());
  outcome.oversized_blocks = set.oversized_blocks;
  if (!outcome.decision.ranked.empty()) {
    outcome.top_patient_id = set.patients[outcome.decision.ranked.front()].id;
  }
  if (outcome.decision.outcome == identity::Outcome::kAutoLink) {
    for (const store::PatientRecord& p : set.patients) {
      if (p.id == outcome.patient_id) outcome.hersys_id = p.hersys_id;
    }
    // The evidence of an auto-link is not kept (the row records the score);
    // writing it out for every linked row cost more than the matching.
    return outcome;
  }

  nlohmann::json ranked = nlohmann::json::array();
  for (size_t index : outcome.decision.ranked) {
    const identity::ScoredCandidate& c = scored[index];
    const store::PatientRecord& p = set.patients[index];
    const identity::ScoreResult explained = identity::Score(model_, c.comparison, adjustments[index]);
    nlohmann::json fields = nlohmann::json::array();
    for (const identity::FieldContribution& f : explained.fields) {
      fields.push_back({{"field", identity::DescribeField(f.field).key},
                        {"level", f.level},
                        {"weight", f.weight},
                        {"ja", f.explanation_ja},
                        {"en", f.explanation_en}});
    }
    nlohmann::json vetoes = nlohmann::json::array();
    for (identity::Veto veto : identity::FindVetoes(incoming, *keys[index], c.comparison)) {
      vetoes.push_back({{"veto", identity::VetoName(veto)}, {"ja", identity::VetoJa(veto)}});
    }
    ranked.push_back({{"patient_id", p.id},
                      {"hersys_id", p.hersys_id},
                      {"name", p.name},
                      {"name_kana", p.name_kana},
                      {"birth_date", p.birth_date},
                      {"sex", p.sex},
                      {"phone", p.phone},
                      {"address", p.address},
                      {"score", c.score},
                      {"fields", fields},
                      {"vetoes", vetoes}});
  }
  outcome.candidates_json =
      ranked.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return outcome;
}

}  // namespace ichigen::intake
