// Internal to the synth library: the identity fields of an ID-less update
// row when `--identity-noise` is on. IdentityRows writes who the row is
// about the way bench/identity_eval.cc draws its rows: the person in HER-SYS
// form with identity::ApplyNoise applied — fields missing at fixed rates
// (kana 8 %, phone 20 %, address 15 %, sex 3 %) and then 0, 1 or 2 errors
// (35 % / 45 % / 20 %) drawn from the ten error kinds of identity/noise.h.
// A share of rows (`stranger_rate`) are hard negatives, people who are not
// in the store: a twin of a stored patient (same family name, birth date,
// address and phone, another given name), a family member (the same but
// another birth date) or a namesake (same name, kana, sex and birth date in
// another town, half of them in the same municipality, with a phone of
// their own or none), a third each. A field no noise touched keeps the
// file's usual written forms; a CP932 file gets only noise CP932 can
// hold. Deterministic in `rng`.
// Thread-safety: IdentityRows is immutable after construction; Fill uses
// only the Rng it is handed.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "identity/noise.h"
#include "synth/row_forms.h"

namespace ichigen::synth {

enum class IdentityRowKind { kExisting, kTwin, kFamily, kNamesake };
std::string_view IdentityRowKindName(IdentityRowKind kind);

struct IdentityFields {
  std::string name, kana, birth, sex, phone, address;
  IdentityRowKind kind = IdentityRowKind::kExisting;
  std::vector<identity::NoiseKind> noise;  // in the order applied
  // "none" or the noise kinds joined by ';' (for the truth file).
  std::string NoiseText() const;
};

class IdentityRows {
 public:
  // `cp932`: the file is CP932, so a noisy name must stay writable in it
  // (a variant such as 𠮷 is then not drawn).
  IdentityRows(const Population& population, const FileStyle& style, double stranger_rate,
               bool cp932)
      : population_(population), style_(style), stranger_rate_(stranger_rate), cp932_(cp932) {}

  // The identity fields of a row about `patient` (or about a stranger
  // made from it).
  void Fill(const Person& patient, Rng& rng, IdentityFields& out) const;

 private:
  Person Stranger(const Person& patient, IdentityRowKind kind, Rng& rng) const;

  const Population& population_;
  const FileStyle& style_;
  double stranger_rate_;
  bool cp932_;
};

}  // namespace ichigen::synth
