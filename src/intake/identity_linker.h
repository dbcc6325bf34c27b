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

  struct CachedKeys {
    std::string content_hash;
    identity::PersonKeys keys;
  };

  const identity::ModelParameters& model_;
  const geo::AddressResolver& resolver_;
  std::unordered_map<int64_t, CachedKeys> keys_;  // by patient id
};

}  // namespace ichigen::intake
