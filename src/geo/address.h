// AddressResolver: from a free-text Japanese address, finds the prefecture,
// the municipality (the ward where there is one) and the rest, and says how
// sure it is. Handles a missing prefecture, 郡 names, wards with or without
// their city, full-width and kanji numerals, 丁目/番地/号 and hyphen variants,
// old kanji forms and ヶ/ケ/が. A given municipality code is checked against
// the address and disagreement is flagged (a patient cared for in a hotel in
// another city must not be routed there); a postal code is a cross-check
// where known. Thread-safety: immutable after construction; Resolve is safe.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "geo/address_text.h"
#include "geo/registry.h"

namespace ichigen::geo {

enum class Confidence {
  kNone,    // nothing found
  kLow,     // a guess: must not be routed without review
  kMedium,  // found, but something was inferred (e.g. no prefecture given)
  kHigh,    // prefecture and municipality both written and consistent
};

std::string_view ConfidenceName(Confidence confidence);

struct Residence {
  const Municipality* municipality = nullptr;  // ward where there is one
  const Prefecture* prefecture = nullptr;
  std::string normalized;  // normalized full address
  std::string rest;        // what follows the municipality (town, 丁目 …)
  Confidence confidence = Confidence::kNone;
  bool code_disagrees = false;  // a given code names another municipality
  std::vector<std::string> flags;  // e.g. "prefecture_inferred", "code_disagrees"
  // When the name fits several municipalities (府中市, 中区 without its
  // city) and nothing decided between them: all of them, and municipality
  // stays null. Never a guess.
  std::vector<const Municipality*> candidates;
};

// Prefecture (1..47) of a postal code's first three digits ("183-0022",
// "1830022", "〒183"), or 0 when unknown or on a border
// (data/geo/postal_prefix.csv). A cross-check only.
class PostalPrefectures {
 public:
  static core::Result<PostalPrefectures> Load();
  int PrefectureOf(std::string_view postal_code) const;

 private:
  std::vector<int8_t> by_prefix_;  // 1000 entries
};

class AddressResolver {
 public:
  // Loads the kanji fold and postal tables; fails only when they are bad.
  static core::Result<std::unique_ptr<AddressResolver>> Create(const Registry& registry);
  // As Create, but a bad or missing table is not an error here: the
  // resolver then runs without it (no kanji fold or no postal cross-check).
  // Use Create where the caller can report the error.
  explicit AddressResolver(const Registry& registry);
  ~AddressResolver();

  // `given_code` (5 or 6 digits, may be empty) and `postal_code` (may be
  // empty) are cross-checks. When the address resolves nothing and the code
  // is valid, the code is used with kMedium confidence and a flag.
  Residence Resolve(std::string_view address, std::string_view given_code = {},
                    std::string_view postal_code = {}) const;

 private:
  AddressResolver(const Registry& registry, KanjiFold fold, PostalPrefectures postal);
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace ichigen::geo
