#include "synth/name_bank.h"

#include <array>
#include <charconv>

#include "core/resources.h"

namespace ichigen::synth {
namespace {

// Endings that mark a sex without doubt in names people carry; anything
// else (薫, 翼, 歩, 千尋 …) is given to either sex.
constexpr std::array<std::string_view, 16> kFemaleEndings = {
    "子", "美", "奈", "香", "江", "代", "枝", "恵", "菜", "衣", "花", "穂", "乃", "絵",
    "佳", "織"};
constexpr std::array<std::string_view, 17> kMaleEndings = {
    "郎", "夫", "雄", "太", "介", "男", "彦", "助", "蔵", "輔", "一", "二", "三", "治",
    "也", "司", "吾"};

bool EndsWith(std::string_view text, std::string_view suffix) {
  return text.size() >= suffix.size() && text.substr(text.size() - suffix.size()) == suffix;
}

AliasTable TableOf(const std::vector<NameEntry>& entries, const std::vector<uint32_t>& pool) {
  std::vector<double> weights;
  weights.reserve(pool.size());
  for (uint32_t i : pool) weights.push_back(entries[i].weight);
  return AliasTable(weights);
}

}  // namespace

std::optional<Sex> SexFromGivenName(std::string_view given_name) {
  for (std::string_view ending : kFemaleEndings) {
    if (EndsWith(given_name, ending)) return Sex::kFemale;
  }
  for (std::string_view ending : kMaleEndings) {
    if (EndsWith(given_name, ending)) return Sex::kMale;
  }
  return std::nullopt;
}

core::Result<std::vector<NameEntry>> NameBank::ParseTsv(std::string_view text,
                                                        std::string_view file_name) {
  std::vector<NameEntry> entries;
  int line_number = 0;
  while (!text.empty()) {
    const size_t end = text.find('\n');
    std::string_view line = text.substr(0, end);
    text = end == std::string_view::npos ? std::string_view() : text.substr(end + 1);
    ++line_number;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty() || line.front() == '#') continue;
    const size_t tab1 = line.find('\t');
    const size_t tab2 = tab1 == std::string_view::npos ? tab1 : line.find('\t', tab1 + 1);
    double weight = 0;
    if (tab2 != std::string_view::npos) {
      const std::string_view w = line.substr(tab2 + 1);
      auto [ptr, ec] = std::from_chars(w.data(), w.data() + w.size(), weight);
      if (ec != std::errc() || ptr != w.data() + w.size()) weight = -1;
    }
    if (tab2 == std::string_view::npos || tab1 == 0 || tab2 == tab1 + 1 || weight <= 0) {
      return core::Fail(core::Code::kInvalidArgument, "名前データの行が不正です",
                        "malformed name data row",
                        std::string(file_name) + ":" + std::to_string(line_number));
    }
    entries.push_back(NameEntry{std::string(line.substr(0, tab1)),
                                std::string(line.substr(tab1 + 1, tab2 - tab1 - 1)), weight});
  }
  if (entries.empty()) {
    return core::Fail(core::Code::kInvalidArgument, "名前データが空です", "name data is empty",
                      std::string(file_name));
  }
  return entries;
}

core::Result<NameBank> NameBank::Load() {
  NameBank bank;
  ASSIGN_OR_RETURN(const std::string surnames_text, core::LoadDataFile("synth/surnames.tsv"));
  ASSIGN_OR_RETURN(bank.surnames_, ParseTsv(surnames_text, "synth/surnames.tsv"));
  ASSIGN_OR_RETURN(const std::string given_text, core::LoadDataFile("synth/given_names.tsv"));
  ASSIGN_OR_RETURN(bank.given_names_, ParseTsv(given_text, "synth/given_names.tsv"));

  std::vector<double> weights;
  for (const NameEntry& entry : bank.surnames_) weights.push_back(entry.weight);
  bank.surname_table_ = AliasTable(weights);
  for (uint32_t i = 0; i < bank.given_names_.size(); ++i) {
    const std::optional<Sex> sex = SexFromGivenName(bank.given_names_[i].surface);
    if (sex != Sex::kFemale) bank.male_pool_.push_back(i);
    if (sex != Sex::kMale) bank.female_pool_.push_back(i);
  }
  if (bank.male_pool_.empty() || bank.female_pool_.empty()) {
    return core::Fail(core::Code::kInvalidArgument, "名前データに男女どちらかの名がありません",
                      "given names lack one sex", "synth/given_names.tsv");
  }
  bank.male_table_ = TableOf(bank.given_names_, bank.male_pool_);
  bank.female_table_ = TableOf(bank.given_names_, bank.female_pool_);
  return bank;
}

const NameEntry& NameBank::Surname(Rng& rng) const {
  return surnames_[surname_table_.Sample(rng)];
}

const NameEntry& NameBank::GivenName(Sex sex, Rng& rng) const {
  if (sex == Sex::kMale) return given_names_[male_pool_[male_table_.Sample(rng)]];
  return given_names_[female_pool_[female_table_.Sample(rng)]];
}

}  // namespace ichigen::synth
