// IdentityLinker: finds the stored patient a row without a trustworthy
// HER-SYS ID belongs to. Candidates come from the store's blocks (same birth
// date, folded kanji name, phonetic kana or phone — the patients' own
// indexes), are scored by the identity model and decided by its rules:
// auto-link only on strong evidence with no veto and a clear margin; the
// uncertain go to review with every candidate's per-field evidence; nobody
// close is "no match". Thread-safety: immutable after construction; Link
// uses the writer or store it is given from the calling thread.
#pragma once

#include <string>

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
  std::string candidates_json;     // ranked candidates and their evidence
  int64_t candidates = 0;
  int64_t oversized_blocks = 0;
};

class IdentityLinker {
 public:
  IdentityLinker(const identity::ModelParameters& model, const geo::AddressResolver& resolver);

  // The row's person: name, kana, birth date, sex, phone and a free-text
  // address (resolved here to municipality and town), HER-SYS ID if any.
  identity::RawPerson RawFromRow(std::string name, std::string kana, std::string birth,
                                 std::string sex, std::string phone, std::string_view address,
                                 std::string hersys_id) const;

  core::Result<LinkOutcome> Link(store::BatchWriter& writer, const identity::RawPerson& row) const;
  core::Result<LinkOutcome> Link(store::Store& store, const identity::RawPerson& row) const;

 private:
  template <typename Source>
  core::Result<LinkOutcome> LinkWith(Source& source, const identity::RawPerson& row) const;

  const identity::ModelParameters& model_;
  const geo::AddressResolver& resolver_;
};

}  // namespace ichigen::intake
