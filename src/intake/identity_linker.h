// IdentityLinker: finds the stored patient a row without a trustworthy
// HER-SYS ID belongs to. Candidates come from the store's blocks (the rules
// of identity/blocking.h over the patients' own indexes, store.h
// CandidateQuery), are scored by the identity model and decided by its rules:
// auto-link only on strong evidence with no veto and a clear margin; the
// uncertain go to review with every candidate's per-field evidence; nobody
// close is "no match".
//
// A row without an ID meets dozens of stored patients and a batch meets
// the same ones again and again (every 佐藤 born on one day), so the keys
// of a stored patient are made once per linker and kept, checked against
// the patient's content hash (a changed patient is keyed anew). The cache
// is bounded (kMaxCachedKeys) and simply cleared when full.
//
// Name agreement is adjusted by how common the family name is (identity/
// model.h TermFrequencyAdjustment), as the in-memory evaluation does with
// NameFrequency: the store counts the patients whose folded name begins
// with the family name (CountNamePrefix, a range of the name block's
// covering index), once per family name and linker, and the patients once;
// only pairs whose names agree are adjusted, so only their family names are
// counted. The counts are those at the linker's first look: a batch's own
// new patients change them too little to matter.
// Thread-safety: not thread-safe (the cache); one linker per importing
// thread, as a batch has. Link uses the writer or store it is given from
// the calling thread.
#pragma once

#include <string>
#include <unordered_map>

#include "core/result.h"
#include "geo/address.h"
#include "identity/decision.h"
#include "identity/model.h"
#include "identity/person.h"
#include "store/store.h"

namespace ichigen::intake {

struct LinkOutcome {
  identity::Decision decision;
  int64_t patient_id = 0;          // auto-link: the patient
  std::string hersys_id;           // auto-link: the patient's HER-SYS ID
  int64_t top_patient_id = 0;      // the best candidate (0 when none)
  // Ranked candidates and their evidence; only made when the row is not
  // auto-linked (the review queue shows it); empty for an auto-link.
  std::string candidates_json;
  int64_t candidates = 0;
  int64_t oversized_blocks = 0;
};

class IdentityLinker {
 public:
  IdentityLinker(const identity::ModelParameters& model, const geo::AddressResolver& resolver);

  static constexpr size_t kMaxCachedKeys = 400'000;

  // The row's person: name, kana, birth date, sex, phone and a free-text
  // address (resolved here to municipality and town), HER-SYS ID if any.
  identity::RawPerson RawFromRow(std::string name, std::string kana, std::string birth,
                                 std::string sex, std::string phone, std::string_view address,
                                 std::string hersys_id) const;

  core::Result<LinkOutcome> Link(store::BatchWriter& writer, const identity::RawPerson& row);
  core::Result<LinkOutcome> Link(store::Store& store, const identity::RawPerson& row);

 private:
  template <typename Source>
  core::Result<LinkOutcome> LinkWith(Source& source, const identity::RawPerson& row);
  // The keys of a stored patient, from the cache or made now.
  const identity::PersonKeys& KeysOf(const store::PatientRecord& patient);
  // The term-frequency adjustment of a pair whose names agree.
  template <typename Source>
  core::Result<double> NameAdjustmentOf(Source& source, const identity::PersonKeys& row,
                                        const identity::PersonKeys& candidate);

  struct CachedKeys {
    std::string content_hash;
    identity::PersonKeys keys;
  };

  const identity::ModelParameters& model_;
  const geo::AddressResolver& resolver_;
  std::unordered_map<int64_t, CachedKeys> keys_;  // by patient id
  std::unordered_map<std::string, int64_t> family_counts_;  // by folded family name
  int64_t patients_ = -1;                                   // -1 until counted
};

}  // namespace ichigen::intake
