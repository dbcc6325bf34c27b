// Internal to the synth library: the per-file choices (date form, sex
// codes, kana form, header synonyms …) and the per-row helpers shared by the
// hersys and updates writers. A file picks its habits once, as an exporting
// system would, and about one row in ten strays from them, as hand-edited
// sheets do. Thread-safety: FileStyle is a value; helpers are pure given
// the Rng they are handed.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "synth/population.h"
#include "synth/random.h"
#include "synth/synth.h"
#include "synth/table_sink.h"
#include "synth/text_forms.h"

namespace ichigen::synth {

struct FileStyle {
  DateStyle date = DateStyle::kSlash;
  DateStyle birth_date = DateStyle::kWareki;
  int sex_code = 0;       // 0 男/女, 1 男性/女性, 2 M/F, 3 1/2
  int name_separator = 0; // 0 full-width space, 1 ASCII space, 2 none
  int kana_form = 0;      // 0 カタカナ+space, 1 カタカナ, 2 ひらがな+space, 3 ﾊﾝｶｸ+space
  bool age_suffix = false;  // "45歳"
  int consent_form = 0;   // 0 有/無, 1 1/0, 2 ○/×
  PhoneStyle phone = PhoneStyle::kHyphen;
  AddressStyle address = AddressStyle::kFull;
  CsvStyle csv;
};

inline constexpr double kRowVariation = 0.1;

FileStyle ChooseFileStyle(Rng& rng, const SynthOptions& options);

// A header cell: the canonical (first) synonym or one chosen per file.
std::string_view PickHeader(std::span<const std::string_view> synonyms, HeaderStyle style,
                            Rng& rng);

void AppendName(const Person& person, const FileStyle& style, Rng& rng, std::string& out);
void AppendKana(const Person& person, const FileStyle& style, Rng& rng, std::string& out);
void AppendSex(Sex sex, const FileStyle& style, std::string& out);
void AppendVariedDate(core::Date date, DateStyle usual, Rng& rng, std::string& out);
void AppendVariedPhone(const PhoneNumber& phone, const FileStyle& style, Rng& rng,
                       std::string& out);
void AppendVariedAddress(const Places& places, const Address& address, const FileStyle& style,
                         Rng& rng, std::string& out);
// A malformed ID: 5 or 9 digits, letters, a hyphen (variant by `which`).
void AppendBadId(int64_t id, int which, std::string& out);
// An impossible calendar date (2022/2/30, 2022-04-31, 令和4年2月30日, 20220631).
void AppendImpossibleDate(core::Date near, int which, std::string& out);
// A name field with a stray quote: "山田"太郎 (text after the closing quote).
void AppendStrayQuoteName(const Person& person, std::string& out);

// Title lines above the header (first a title naming `label` and the date,
// then blank or count lines).
core::Status WriteTitleRows(TableSink& sink, int count, std::string_view label, core::Date date,
                            int64_t rows);

// Picks exactly `needed` of the next `remaining` items, each subset equally
// likely (selection sampling, Knuth 3.4.2 algorithm S), one item at a time.
class ExactSelector {
 public:
  ExactSelector(int64_t needed, int64_t remaining) : needed_(needed), remaining_(remaining) {}
  bool Next(Rng& rng) {
    if (remaining_ <= 0) return false;
    const bool take = static_cast<int64_t>(rng.Below(static_cast<uint64_t>(remaining_))) < needed_;
    --remaining_;
    if (take) --needed_;
    return take;
  }

 private:
  int64_t needed_;
  int64_t remaining_;
};

// Writes the truth CSV (or nothing when no path was given). With
// `identity_columns` (--identity-noise) each row also says what the row's
// identity fields are (row_kind: with_id, existing, twin, family, namesake)
// and the noise applied to them ("none", or kinds joined by ';'); a
// hersys_id or person_id of 0 (a stranger: nobody in the store) is left
// blank.
class TruthWriter {
 public:
  static core::Result<TruthWriter> Open(const std::string& path, bool identity_columns = false);
  core::Status Write(int64_t line, int64_t hersys_id, int64_t person_id, bool accept,
                     std::string_view reason, std::string_view row_kind = "",
                     std::string_view noise = "");
  core::Status Close();

 private:
  std::unique_ptr<TableSink> sink_;
  bool identity_columns_ = false;
  std::vector<std::string> fields_;
};

// The two file kinds (hersys_file.cc, updates_file.cc). `rng` is the
// file's own stream, already used to choose `style`.
core::Result<SynthSummary> WriteHersys(const SynthOptions& options, const Population& population,
                                       const FileStyle& style, TableSink& sink,
                                       TruthWriter& truth, Rng& rng);
core::Result<SynthSummary> WriteUpdates(const SynthOptions& options,
                                        const Population& population, const FileStyle& style,
                                        TableSink& sink, TruthWriter& truth, Rng& rng);

}  // namespace ichigen::synth
