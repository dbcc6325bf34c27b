// NameBank: the Japanese surnames and given names the generator draws from,
// with katakana readings and Zipf–Mandelbrot weights, loaded from the
// embedded data/synth/surnames.tsv and given_names.tsv (a reviewed subset of
// mecab-ipadic; see data/synth/extract_names.py and LICENSE.ipadic). Given
// names whose ending clearly marks a sex (子/美/奈/香 … female, 郎/夫/雄/太/介
// … male) are drawn only for that sex; the rest for either.
// Thread-safety: immutable after Load; const methods are safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "synth/random.h"

namespace ichigen::synth {

enum class Sex { kMale, kFemale };

struct NameEntry {
  std::string surface;  // 佐藤
  std::string reading;  // サトウ (full-width katakana)
  double weight = 0;
};

// The sex a given name's last character clearly marks, if any.
std::optional<Sex> SexFromGivenName(std::string_view given_name);

class NameBank {
 public:
  static core::Result<NameBank> Load();
  // Parses the TSV text of a names file ("surface\treading\tweight", '#'
  // comments); kInvalidArgument naming the line when a row is malformed.
  static core::Result<std::vector<NameEntry>> ParseTsv(std::string_view text,
                                                       std::string_view file_name);

  const NameEntry& Surname(Rng& rng) const;
  const NameEntry& GivenName(Sex sex, Rng& rng) const;

  const std::vector<NameEntry>& surnames() const { return surnames_; }
  const std::vector<NameEntry>& given_names() const { return given_names_; }

 private:
  std::vector<NameEntry> surnames_;
  std::vector<NameEntry> given_names_;
  AliasTable surname_table_;
  std::vector<uint32_t> male_pool_;  // indices into given_names_
  std::vector<uint32_t> female_pool_;
  AliasTable male_table_;
  AliasTable female_table_;
};

}  // namespace ichigen::synth
