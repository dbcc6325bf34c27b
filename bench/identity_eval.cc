// bench_identity_eval: the identity evaluation of issue 5. Builds an
// in-memory population of synthetic patients (households sharing address and
// phone, twins, namesakes in other towns), draws noisy ID-less rows of which
// a share refer to an existing person and the rest are new people (some of
// them hard negatives: a twin, a family member or a namesake of a stored
// patient), blocks them with an in-memory index over identity::BlockingKeys,
// scores them with the default model and with one re-estimated by EM from
// the candidate pairs, decides, and prints the figures as JSON: precision of
// auto-links, false auto-links, recall to the top candidate, review rate,
// and recall per noise kind. --sweep also prints, for a grid of thresholds,
// the false auto-links and review rate, to tune data/identity/default_model.json.
//
// Usage: bench_identity_eval [--people N] [--rows N] [--seed N] [--sweep]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>
#include <string>
#include <unordered_map>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/resources.h"
#include "identity/blocking.h"
#include "identity/compare.h"
#include "identity/decision.h"
#include "identity/model.h"
#include "identity/noise.h"
#include "identity/person.h"

namespace {

using namespace ichigen;
using identity::NoiseKind;
using identity::NoiseRng;
using identity::RawPerson;

struct Name {
  std::string surface, reading;
  double weight = 1;
};

// A names file: embedded when declared, else from the source tree, else a
// small built-in list (so the bench runs while the synth data is missing).
std::vector<Name> LoadNames(const std::string& file, const std::vector<Name>& fallback) {
  std::string text;
  if (auto r = core::LoadDataFile("synth/" + file)) {
    text = *r;
  } else {
    std::ifstream in(std::string(ICHIGEN_SOURCE_DIR) + "/data/synth/" + file);
    std::stringstream ss;
    ss << in.rdbuf();
    text = ss.str();
  }
  std::vector<Name> names;
  std::istringstream lines(text);
  std::string line;
  while (std::getline(lines, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::vector<std::string> cols;
    std::istringstream cs(line);
    std::string col;
    while (std::getline(cs, col, '\t')) cols.push_back(col);
    if (cols.size() < 2) continue;
    Name n{cols[0], cols[1], cols.size() > 2 ? std::atof(cols[2].c_str()) : 1.0};
    if (n.weight <= 0) n.weight = 1;
    names.push_back(n);
  }
  return names.empty() ? fallback : names;
}

std::vector<std::pair<std::string, bool>> LoadTowns() {
  std::string text;
  if (auto r = core::LoadDataFile("synth/town_names.tsv")) {
    text = *r;
  } else {
    std::ifstream in(std::string(ICHIGEN_SOURCE_DIR) + "/data/synth/town_names.tsv");
    std::stringstream ss;
    ss << in.rdbuf();
    text = ss.str();
  }
  std::vector<std::pair<std::string, bool>> towns;
  std::istringstream lines(text);
  std::string line;
  while (std::getline(lines, line)) {
    if (line.empty() || line[0] == '#') continue;
    const size_t tab = line.find('\t');
    towns.emplace_back(line.substr(0, tab), tab != std::string::npos && line[tab + 1] == '1');
  }
  if (towns.empty()) {
    towns = {{"本町", true},   {"栄町", true},   {"緑ケ丘", true}, {"旭町", true},
             {"上野", false},  {"大原", false},  {"中央", true},   {"桜台", true}};
  }
  return towns;
}

class Picker {
 public:
  explicit Picker(const std::vector<Name>& names) : names_(names) {
    double s = 0;
    for (const Name& n : names) cum_.push_back(s += n.weight);
  }
  const Name& Pick(NoiseRng& rng) const {
    const double x = rng.Uniform() * cum_.back();
    const size_t i = static_cast<size_t>(std::upper_bound(cum_.begin(), cum_.end(), x) - cum_.begin());
    return names_[std::min(i, names_.size() - 1)];
  }

 private:
  const std::vector<Name>& names_;
  std::vector<double> cum_;
};

struct World {
  std::vector<std::string> munis;                          // 5-digit codes
  std::vector<std::vector<std::pair<std::string, bool>>> towns;  // per municipality
  Picker* surnames;
  Picker* given;
  uint64_t phone_counter = 0;
};

std::string Mobile(World& w, NoiseRng& rng) {
  const uint64_t n = (++w.phone_counter * 7919 + rng.Below(7919)) % 100000000;
  char buf[32];
  std::snprintf(buf, sizeof buf, "0%d0-%04d-%04d", rng.Chance(0.5) ? 9 : 8,
                static_cast<int>(n / 10000), static_cast<int>(n % 10000));
  return buf;
}

std::string Landline(World& w, NoiseRng& rng) {
  const uint64_t n = (++w.phone_counter * 7919 + rng.Below(7919)) % 100000000;
  char buf[32];
  std::snprintf(buf, sizeof buf, "0%d-%04d-%04d", 3 + static_cast<int>(rng.Below(6)),
                static_cast<int>(n / 10000), static_cast<int>(n % 10000));
  return buf;
}

std::string BirthDate(NoiseRng& rng, int from_year, int to_year) {
  for (;;) {
    const int y = from_year + static_cast<int>(rng.Below(static_cast<uint64_t>(to_year - from_year + 1)));
    auto d = core::Date::FromYmd(y, 1 + static_cast<int>(rng.Below(12)), 1 + static_cast<int>(rng.Below(31)));
    if (d) return d->ToIso();
  }
}

struct Address {
  std::string muni, rest;
};

Address NewAddress(World& w, NoiseRng& rng, int muni = -1, const std::string& avoid_town = "") {
  if (muni < 0) muni = static_cast<int>(rng.Below(w.munis.size()));
  const auto& towns = w.towns[static_cast<size_t>(muni)];
  for (;;) {
    const auto& [town, chome] = towns[rng.Below(towns.size())];
    if (town == avoid_town) continue;
    std::string rest = town;
    if (chome) {
      rest += std::to_string(1 + rng.Below(5)) + "丁目" + std::to_string(1 + rng.Below(30)) + "-" +
              std::to_string(1 + rng.Below(20));
    } else {
      rest += std::to_string(100 + rng.Below(2900));
    }
    return {w.munis[static_cast<size_t>(muni)], rest};
  }
}

RawPerson NewPerson(World& w, NoiseRng& rng, const Name& family, const Address& addr,
                    const std::string& phone, const std::string& birth) {
  const Name& g = w.given->Pick(rng);
  RawPerson p;
  p.name = family.surface + " " + g.surface;
  p.name_kana = family.reading + " " + g.reading;
  p.birth_date = birth;
  p.sex = rng.Chance(0.5) ? "男" : "女";
  p.phone = phone;
  p.municipality_code = addr.muni;
  p.address_rest = addr.rest;
  return p;
}

// Another given name with another reading than `of`'s.
RawPerson Sibling(World& w, NoiseRng& rng, const RawPerson& of, const std::string& birth) {
  const std::string family = of.name.substr(0, of.name.find(' '));
  const std::string family_kana = of.name_kana.substr(0, of.name_kana.find(' '));
  RawPerson p = of;
  for (;;) {
    const Name& g = w.given->Pick(rng);
    p.name = family + " " + g.surface;
    p.name_kana = family_kana + " " + g.reading;
    if (p.name != of.name && p.name_kana != of.name_kana) break;
  }
  p.birth_date = birth;
  p.sex = rng.Chance(0.5) ? "男" : "女";
  return p;
}

int MuniIndex(const World& w, const std::string& code) {
  return static_cast<int>(std::find(w.munis.begin(), w.munis.end(), code) - w.munis.begin());
}

std::string TownName(const std::string& rest) { return identity::TownOf(rest); }

constexpr NoiseKind kErrorKinds[] = {
    NoiseKind::kKanjiVariant, NoiseKind::kKanaVariant, NoiseKind::kNameTypo,
    NoiseKind::kKanaTypo,     NoiseKind::kNameNoSpace, NoiseKind::kBirthSwap,
    NoiseKind::kBirthDigit,   NoiseKind::kBirthEra,    NoiseKind::kPhoneFormat,
    NoiseKind::kAddressFormat};

enum class RowKind { kExisting, kFresh, kTwin, kFamily, kNamesake };
const char* RowKindName(RowKind k) {
  switch (k) {
    case RowKind::kExisting: return "existing";
    case RowKind::kFresh: return "new_fresh";
    case RowKind::kTwin: return "new_twin_of_patient";
    case RowKind::kFamily: return "new_family_member";
    case RowKind::kNamesake: return "new_namesake_other_town";
  }
  return "";
}

struct Row {
  RawPerson raw;
  identity::PersonKeys keys;
  RowKind kind = RowKind::kExisting;
  int64_t truth = -1;  // index into the population, -1 for a new person
  std::vector<NoiseKind> noise;
  std::vector<uint32_t> candidates;
  std::vector<identity::ComparisonVector> vectors;
  std::vector<double> adjustments;
};

struct Outcomes {
  int64_t auto_links = 0, false_auto_links = 0, reviews = 0, new_persons = 0;
  int64_t existing = 0, recall_top = 0, existing_auto = 0;
  std::map<std::string, std::array<int64_t, 3>> by_noise;     // rows, recall_top, auto
  std::map<std::string, std::array<int64_t, 4>> by_row_kind;  // rows, auto, false, review
  std::vector<std::string> false_examples;
};

Outcomes Evaluate(const std::vector<Row>& rows, const std::vector<identity::PersonKeys>& people,
                  const identity::ModelParameters& model, const identity::Thresholds& t,
                  bool examples) {
  Outcomes o;
  identity::DecisionPolicy policy;
  policy.thresholds = t;
  std::vector<identity::ScoredCandidate> cands;
  for (const Row& row : rows) {
    cands.clear();
    for (size_t i = 0; i < row.candidates.size(); ++i) {
      cands.push_back({row.candidates[i], &people[row.candidates[i]], row.vectors[i],
                       identity::TotalWeight(model, row.vectors[i], row.adjustments[i])});
    }
    const identity::Decision d = identity::Decide(row.keys, cands, policy);
    const bool is_auto = d.outcome == identity::Outcome::kAutoLink;
    const bool false_auto = is_auto && d.patient_id != row.truth;
    const bool review = d.outcome == identity::Outcome::kReview;
    o.auto_links += is_auto;
    o.false_auto_links += false_auto;
    o.reviews += review;
    o.new_persons += d.outcome == identity::Outcome::kNewPerson;
    auto& rk = o.by_row_kind[RowKindName(row.kind)];
    rk[0]++;
    rk[1] += is_auto;
    rk[2] += false_auto;
    rk[3] += review;
    if (false_auto && examples && o.false_examples.size() < 8) {
      const auto& c = cands[d.ranked.empty() ? 0 : d.ranked[0]];
      const identity::ScoreResult s = identity::Score(model, c.comparison, row.adjustments[0]);
      std::string e = std::string(RowKindName(row.kind)) + ": row " + row.raw.name + "/" +
                      row.raw.name_kana + "/" + row.raw.birth_date + " -> " +
                      people[static_cast<size_t>(d.patient_id)].name_folded + " score " +
                      std::to_string(d.top_score) + " margin " + std::to_string(d.margin);
      for (const auto& f : s.fields) e += " | " + f.explanation_en;
      o.false_examples.push_back(e);
    }
    if (row.truth < 0) continue;
    o.existing++;
    bool top = false;
    if (is_auto) {
      top = d.patient_id == row.truth;
      o.existing_auto += top;
    } else if (review && !d.ranked.empty()) {
      top = cands[d.ranked[0]].patient_id == row.truth;
    }
    o.recall_top += top;
    std::vector<std::string> kinds;
    for (NoiseKind k : row.noise) kinds.emplace_back(identity::NoiseKindName(k));
    if (kinds.empty()) kinds.emplace_back("none");
    for (const std::string& k : kinds) {
      auto& b = o.by_noise[k];
      b[0]++;
      b[1] += top;
      b[2] += is_auto && top;
    }
  }
  return o;
}

nlohmann::ordered_json Report(const Outcomes& o, int64_t rows) {
  nlohmann::ordered_json j;
  j["auto_links"] = o.auto_links;
  j["false_auto_links"] = o.false_auto_links;
  j["auto_link_precision"] =
      o.auto_links ? 1.0 - static_cast<double>(o.false_auto_links) / static_cast<double>(o.auto_links) : 1.0;
  j["recall_to_top_candidate"] = static_cast<double>(o.recall_top) / static_cast<double>(o.existing);
  j["auto_link_recall"] = static_cast<double>(o.existing_auto) / static_cast<double>(o.existing);
  j["reviews"] = o.reviews;
  j["review_rate"] = static_cast<double>(o.reviews) / static_cast<double>(rows);
  j["new_persons"] = o.new_persons;
  nlohmann::ordered_json noise;
  for (const auto& [k, v] : o.by_noise) {
    noise[k] = {{"rows", v[0]},
                {"recall_to_top", static_cast<double>(v[1]) / static_cast<double>(v[0])},
                {"auto_linked", static_cast<double>(v[2]) / static_cast<double>(v[0])}};
  }
  j["by_noise_kind"] = noise;
  nlohmann::ordered_json kinds;
  for (const auto& [k, v] : o.by_row_kind) {
    kinds[k] = {{"rows", v[0]}, {"auto_linked", v[1]}, {"false_auto_links", v[2]}, {"reviewed", v[3]}};
  }
  j["by_row_kind"] = kinds;
  if (!o.false_examples.empty()) j["false_auto_link_examples"] = o.false_examples;
  return j;
}

}  // namespace

int main(int argc, char** argv) {
  int64_t n_people = 200000, n_rows = 50000;
  uint64_t seed = 20240501;
  bool sweep = false;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--people" && i + 1 < argc) n_people = std::atoll(argv[++i]);
    else if (a == "--rows" && i + 1 < argc) n_rows = std::atoll(argv[++i]);
    else if (a == "--seed" && i + 1 < argc) seed = std::strtoull(argv[++i], nullptr, 10);
    else if (a == "--sweep") sweep = true;
    else {
      std::cerr << "usage: bench_identity_eval [--people N] [--rows N] [--seed N] [--sweep]\n";
      return 2;
    }
  }
  const auto t0 = std::chrono::steady_clock::now();
  const auto seconds = [&] {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  };
  auto model = identity::LoadDefaultModel();
  if (!model) {
    std::cerr << model.error().ToString() << "\n";
    return 1;
  }
  const std::vector<Name> surnames = LoadNames(
      "surnames.tsv", {{"佐藤", "サトウ", 10}, {"鈴木", "スズキ", 9}, {"高橋", "タカハシ", 8},
                       {"田中", "タナカ", 7}, {"渡辺", "ワタナベ", 6}, {"伊藤", "イトウ", 6},
                       {"山本", "ヤマモト", 5}, {"中村", "ナカムラ", 5}, {"小林", "コバヤシ", 4},
                       {"斎藤", "サイトウ", 3}, {"髙木", "タカギ", 2}, {"大野", "オオノ", 2}});
  const std::vector<Name> given = LoadNames(
      "given_names.tsv", {{"太郎", "タロウ", 5}, {"優子", "ユウコ", 5}, {"清", "キヨシ", 4},
                          {"花子", "ハナコ", 4}, {"健一", "ケンイチ", 3}, {"陽子", "ヨウコ", 3},
                          {"翔太", "ショウタ", 3}, {"美咲", "ミサキ", 3}, {"浩", "ヒロシ", 2},
                          {"恵子", "ケイコ", 2}, {"大輔", "ダイスケ", 2}, {"裕子", "ユウコ", 2}});
  Picker surname_picker(surnames), given_picker(given);
  const auto towns = LoadTowns();
  World w;
  w.surnames = &surname_picker;
  w.given = &given_picker;
  NoiseRng rng(seed);
  for (int i = 0; i < 40; ++i) {
    w.munis.push_back(identity::MunicipalityCode6(std::to_string(13101 + i)));
    std::vector<std::pair<std::string, bool>> mine;
    while (mine.size() < 12) {
      const auto& t = towns[rng.Below(towns.size())];
      if (std::find(mine.begin(), mine.end(), t) == mine.end()) mine.push_back(t);
    }
    w.towns.push_back(mine);
  }

  // Population: households, twins, namesakes.
  std::vector<RawPerson> people;
  people.reserve(static_cast<size_t>(n_people) + 16);
  int64_t twins = 0, namesakes = 0, households = 0;
  while (static_cast<int64_t>(people.size()) < n_people) {
    const double x = rng.Uniform();
    const int size = x < 0.40 ? 1 : x < 0.65 ? 2 : x < 0.80 ? 3 : x < 0.95 ? 4 : 5;
    const Name& family = surname_picker.Pick(rng);
    const Address addr = NewAddress(w, rng);
    const std::string landline = size >= 2 && rng.Chance(0.6) ? Landline(w, rng) : "";
    ++households;
    const size_t first = people.size();
    for (int m = 0; m < size; ++m) {
      const std::string phone = rng.Chance(0.7) ? Mobile(w, rng) : landline;
      std::string birth = m < 2 ? BirthDate(rng, 1935, 1995) : BirthDate(rng, 1960, 2022);
      if (m == 2 && rng.Chance(0.08)) {
        people.push_back(Sibling(w, rng, people[first + 1], people[first + 1].birth_date));
        people.back().phone = phone;
        ++twins;
        continue;
      }
      people.push_back(NewPerson(w, rng, family, addr, phone, birth));
    }
    if (rng.Chance(0.02)) {  // a namesake elsewhere: same name and birth date
      RawPerson copy = people[first];
      const int muni = rng.Chance(0.3) ? MuniIndex(w, copy.municipality_code) : -1;
      const Address other = NewAddress(w, rng, muni, TownName(copy.address_rest));
      copy.municipality_code = other.muni;
      copy.address_rest = other.rest;
      copy.phone = rng.Chance(0.8) ? Mobile(w, rng) : "";
      people.push_back(copy);
      ++namesakes;
    }
  }
  std::vector<identity::PersonKeys> keys;
  keys.reserve(people.size());
  for (const RawPerson& p : people) keys.push_back(identity::MakeKeys(p));
  std::unordered_map<std::string, int64_t> phone_users;
  for (const auto& k : keys) {
    if (!k.phone_key.empty()) phone_users[k.phone_key]++;
  }
  identity::NameFrequency families;
  for (auto& k : keys) {
    if (!k.phone_key.empty()) k.phone_shared_count = phone_users[k.phone_key];
    families.Add(k.name_split ? k.family_folded : k.name_folded);
  }
  std::unordered_map<std::string, std::vector<uint32_t>> index;
  for (size_t i = 0; i < keys.size(); ++i) {
    for (const auto& bk : identity::BlockingKeys(keys[i])) index[bk.key].push_back(static_cast<uint32_t>(i));
  }
  const double t_population = seconds();

  // Rows.
  std::vector<Row> rows(static_cast<size_t>(n_rows));
  for (Row& row : rows) {
    const size_t anchor = rng.Below(people.size());
    const double x = rng.Uniform();
    if (x < 0.80) {
      row.kind = RowKind::kExisting;
      row.truth = static_cast<int64_t>(anchor);
      row.raw = people[anchor];
    } else if (x < 0.80 + 0.20 * 0.60) {
      row.kind = RowKind::kFresh;
      const Address addr = NewAddress(w, rng);
      row.raw = NewPerson(w, rng, surname_picker.Pick(rng), addr,
                          rng.Chance(0.8) ? Mobile(w, rng) : "", BirthDate(rng, 1935, 2022));
    } else if (x < 0.80 + 0.20 * 0.75) {
      row.kind = RowKind::kTwin;
      row.raw = Sibling(w, rng, people[anchor], people[anchor].birth_date);
    } else if (x < 0.80 + 0.20 * 0.85) {
      row.kind = RowKind::kFamily;
      row.raw = Sibling(w, rng, people[anchor], BirthDate(rng, 1935, 2022));
    } else {
      row.kind = RowKind::kNamesake;
      row.raw = people[anchor];
      const int muni = rng.Chance(0.3) ? MuniIndex(w, row.raw.municipality_code) : -1;
      const Address other = NewAddress(w, rng, muni, TownName(row.raw.address_rest));
      row.raw.municipality_code = other.muni;
      row.raw.address_rest = other.rest;
      row.raw.phone = rng.Chance(0.8) ? Mobile(w, rng) : "";
    }
    // Fields hospital and hotel sheets often lack.
    const std::pair<NoiseKind, double> missing[] = {{NoiseKind::kKanaMissing, 0.08},
                                                    {NoiseKind::kPhoneMissing, 0.20},
                                                    {NoiseKind::kAddressMissing, 0.15},
                                                    {NoiseKind::kSexMissing, 0.03}};
    for (const auto& [kind, p] : missing) {
      if (!rng.Chance(p)) continue;
      // A hard negative is defined by its other town or shared household:
      // with the address gone it is undecidable by anyone, so it keeps it.
      if (kind == NoiseKind::kAddressMissing && row.kind != RowKind::kExisting &&
          row.kind != RowKind::kFresh) {
        continue;
      }
      if (auto r = identity::ApplyNoise(kind, row.raw, rng)) {
        row.raw = *r;
        row.noise.push_back(kind);
      }
    }
    const double e = rng.Uniform();
    const int errors = e < 0.35 ? 0 : e < 0.80 ? 1 : 2;
    for (int k = 0, tries = 0; k < errors && tries < 10; ++tries) {
      const NoiseKind kind = kErrorKinds[rng.Below(std::size(kErrorKinds))];
      if (std::find(row.noise.begin(), row.noise.end(), kind) != row.noise.end()) continue;
      if (auto r = identity::ApplyNoise(kind, row.raw, rng)) {
        row.raw = *r;
        row.noise.push_back(kind);
        ++k;
      }
    }
    row.keys = identity::MakeKeys(row.raw);
  }
  const double t_rows = seconds();

  // Blocking and comparison.
  int64_t skipped_blocks = 0, pairs = 0, blocked_truth = 0, existing = 0;
  std::vector<identity::ComparisonVector> all;
  const identity::CompareOptions copts{model->phone_shared_threshold};
  for (Row& row : rows) {
    for (const auto& bk : identity::BlockingKeys(row.keys)) {
      auto it = index.find(bk.key);
      if (it == index.end()) continue;
      if (it->second.size() > identity::kDefaultMaxBlockSize) {
        ++skipped_blocks;
        continue;
      }
      row.candidates.insert(row.candidates.end(), it->second.begin(), it->second.end());
    }
    std::sort(row.candidates.begin(), row.candidates.end());
    row.candidates.erase(std::unique(row.candidates.begin(), row.candidates.end()), row.candidates.end());
    for (uint32_t c : row.candidates) {
      row.vectors.push_back(identity::Compare(row.keys, keys[c], copts));
      row.adjustments.push_back(identity::NameAdjustment(families, keys[c], model->term_frequency));
      all.push_back(row.vectors.back());
    }
    pairs += static_cast<int64_t>(row.candidates.size());
    if (row.truth >= 0) {
      ++existing;
      blocked_truth += std::binary_search(row.candidates.begin(), row.candidates.end(),
                                          static_cast<uint32_t>(row.truth));
    }
  }
  const double t_compare = seconds();
  identity::EstimateOptions eopts;
  eopts.fix_u = true;
  auto est = identity::EstimateParameters(all, *model, eopts);
  if (!est) {
    std::cerr << est.error().ToString() << "\n";
    return 1;
  }
  const double t_em = seconds();

  nlohmann::ordered_json out;
  out["people"] = static_cast<int64_t>(people.size());
  out["households"] = households;
  out["twins_in_population"] = twins;
  out["namesakes_in_population"] = namesakes;
  out["rows"] = n_rows;
  out["rows_of_existing_people"] = existing;
  out["seed"] = seed;
  out["candidate_pairs"] = pairs;
  out["oversized_blocks_skipped"] = skipped_blocks;
  out["blocking_recall"] = static_cast<double>(blocked_truth) / static_cast<double>(existing);
  out["thresholds"] = {{"auto_link", model->thresholds.auto_link},
                       {"review", model->thresholds.review},
                       {"margin", model->thresholds.margin}};
  out["em"] = {{"iterations", est->iterations}, {"converged", est->converged},
               {"match_prior", est->parameters.match_prior}};
  out["default_model"] = Report(Evaluate(rows, keys, *model, model->thresholds, false), n_rows);
  out["estimated_model"] = Report(Evaluate(rows, keys, est->parameters, model->thresholds, true), n_rows);
  const double t_eval = seconds();
  out["seconds"] = {{"population", t_population}, {"rows", t_rows - t_population},
                    {"block_and_compare", t_compare - t_rows}, {"em", t_em - t_compare},
                    {"score_and_decide_both_models", t_eval - t_em}};
  if (sweep) {
    nlohmann::ordered_json grid = nlohmann::ordered_json::array();
    for (const auto* which : {"default", "estimated"}) {
      const identity::ModelParameters& m =
          std::string(which) == "default" ? *model : est->parameters;
      for (double a = 16; a <= 44; a += 2) {
        for (double mg = 2; mg <= 12; mg += 2) {
          identity::Thresholds t{a, std::min(a, model->thresholds.review), mg};
          const Outcomes o = Evaluate(rows, keys, m, t, false);
          grid.push_back({{"model", which}, {"auto_link", a}, {"margin", mg},
                          {"auto_links", o.auto_links}, {"false", o.false_auto_links},
                          {"review_rate", static_cast<double>(o.reviews) / static_cast<double>(n_rows)},
                          {"recall_top", static_cast<double>(o.recall_top) / static_cast<double>(o.existing)}});
        }
      }
    }
    out["sweep"] = grid;
  }
  if (std::getenv("ICHIGEN_PRINT_MODEL")) std::cerr << identity::ModelToJson(est->parameters);
  std::cout << out.dump(2) << "\n";
  return 0;
}
