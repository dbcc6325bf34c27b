#include "identity/model.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include <nlohmann/json.hpp>

#include "core/resources.h"

namespace ichigen::identity {
namespace {

constexpr std::string_view kFormat = "ichigen-identity-model";
constexpr int kVersion = 1;

bool IsMissingLevel(Field field, uint8_t level) {
  const auto& levels = DescribeField(field).levels;
  return level >= levels.size() || levels[level].missing;
}

std::string Signed(double w) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%+.1f", w);
  return buf;
}

core::Result<double> Probability(const nlohmann::json& j, const char* name,
                                 const std::string& where) {
  if (!j.contains(name) || !j[name].is_number()) {
    return core::Fail(core::Code::kInvalidArgument,
                      "照合モデルに確率 " + std::string(name) + " がありません",
                      "model lacks probability " + std::string(name), where);
  }
  const double p = j[name].get<double>();
  if (!(p > 0.0 && p <= 1.0)) {
    return core::Fail(core::Code::kInvalidArgument, "照合モデルの確率が範囲外です (0, 1]",
                      "model probability outside (0, 1]", where);
  }
  return p;
}

core::Result<ModelParameters> FromJsonValue(const nlohmann::json& j) {
  const auto invalid = [](std::string ja, std::string en, std::string where = {}) {
    return core::Fail(core::Code::kInvalidArgument, std::move(ja), std::move(en),
                      std::move(where));
  };
  if (!j.is_object() || j.value("format", "") != kFormat) {
    return invalid("照合モデルの形式ではありません", "not an identity model", "format");
  }
  if (j.value("version", 0) != kVersion) {
    return invalid("照合モデルの版が違います", "unsupported model version", "version");
  }
  ModelParameters model;
  model.match_prior = j.value("match_prior", model.match_prior);
  model.phone_shared_threshold = j.value("phone_shared_threshold", model.phone_shared_threshold);
  if (j.contains("thresholds")) {
    const auto& t = j["thresholds"];
    model.thresholds.auto_link = t.value("auto_link", model.thresholds.auto_link);
    model.thresholds.review = t.value("review", model.thresholds.review);
    model.thresholds.margin = t.value("margin", model.thresholds.margin);
  }
  if (model.thresholds.review > model.thresholds.auto_link) {
    return invalid("照合モデルの閾値が不正です（review > auto_link）",
                   "review threshold above auto-link threshold", "thresholds");
  }
  if (j.contains("term_frequency")) {
    const auto& t = j["term_frequency"];
    model.term_frequency.max_bonus = t.value("max_bonus", model.term_frequency.max_bonus);
    model.term_frequency.max_penalty = t.value("max_penalty", model.term_frequency.max_penalty);
    model.term_frequency.family_coincidence =
        t.value("family_coincidence", model.term_frequency.family_coincidence);
    model.term_frequency.min_patients = t.value("min_patients", model.term_frequency.min_patients);
  }
  if (!(model.match_prior > 0.0 && model.match_prior < 1.0)) {
    return invalid("match_prior が範囲外です (0, 1)", "match_prior outside (0, 1)",
                   "match_prior");
  }
  if (!j.contains("fields") || !j["fields"].is_object()) {
    return invalid("照合モデルに fields がありません", "model lacks fields", "fields");
  }
  const auto& fields = j["fields"];
  for (Field f : kAllFields) {
    const FieldInfo& info = DescribeField(f);
    const std::string fkey(info.key);
    if (!fields.contains(fkey) || !fields[fkey].is_object()) {
      return invalid("照合モデルに項目がありません: " + fkey, "model lacks field " + fkey,
                     "fields." + fkey);
    }
    const auto& jf = fields[fkey];
    for (const auto& [key, value] : jf.items()) {
      const bool known = std::any_of(info.levels.begin(), info.levels.end(),
                                     [&](const LevelInfo& l) { return !l.missing && l.key == key; });
      if (!known) {
        return invalid("照合モデルに未知の水準があります: " + fkey + "." + key,
                       "unknown level " + fkey + "." + key, "fields." + fkey + "." + key);
      }
    }
    auto& levels = model.fields[static_cast<size_t>(f)];
    levels.assign(info.levels.size(), LevelProbabilities{});
    for (size_t l = 0; l < info.levels.size(); ++l) {
      if (info.levels[l].missing) continue;
      const std::string lkey(info.levels[l].key);
      const std::string where = "fields." + fkey + "." + lkey;
      if (!jf.contains(lkey) || !jf[lkey].is_object()) {
        return invalid("照合モデルに水準がありません: " + fkey + "." + lkey,
                       "model lacks level " + fkey + "." + lkey, where);
      }
      ASSIGN_OR_RETURN(levels[l].m, Probability(jf[lkey], "m", where));
      ASSIGN_OR_RETURN(levels[l].u, Probability(jf[lkey], "u", where));
    }
  }
  return model;
}

}  // namespace

double ModelParameters::Weight(Field field, uint8_t level) const {
  const auto& levels = fields[static_cast<size_t>(field)];
  if (IsMissingLevel(field, level) || level >= levels.size()) return 0.0;
  return std::log2(levels[level].m / levels[level].u);
}

core::Result<ModelParameters> ModelFromJson(std::string_view text) {
  try {
    return FromJsonValue(nlohmann::json::parse(text));
  } catch (const nlohmann::json::exception& e) {
    return core::Fail(core::Code::kInvalidArgument, "照合モデルの JSON が読めません",
                      std::string("model JSON unreadable: ") + e.what());
  }
}

std::string ModelToJson(const ModelParameters& model) {
  nlohmann::ordered_json j;
  j["format"] = kFormat;
  j["version"] = kVersion;
  j["match_prior"] = model.match_prior;
  j["phone_shared_threshold"] = model.phone_shared_threshold;
  j["thresholds"] = {{"auto_link", model.thresholds.auto_link},
                     {"review", model.thresholds.review},
                     {"margin", model.thresholds.margin}};
  j["term_frequency"] = {{"max_bonus", model.term_frequency.max_bonus},
                         {"max_penalty", model.term_frequency.max_penalty},
                         {"family_coincidence", model.term_frequency.family_coincidence},
                         {"min_patients", model.term_frequency.min_patients}};
  nlohmann::ordered_json fields = nlohmann::ordered_json::object();
  for (Field f : kAllFields) {
    const FieldInfo& info = DescribeField(f);
    nlohmann::ordered_json jf = nlohmann::ordered_json::object();
    const auto& levels = model.fields[static_cast<size_t>(f)];
    for (size_t l = 0; l < info.levels.size() && l < levels.size(); ++l) {
      if (info.levels[l].missing) continue;
      jf[std::string(info.levels[l].key)] = {{"m", levels[l].m}, {"u", levels[l].u}};
    }
    fields[std::string(info.key)] = jf;
  }
  j["fields"] = fields;
  return j.dump(2) + "\n";
}

core::Result<ModelParameters> LoadDefaultModel() {
  ASSIGN_OR_RETURN(std::string text, core::LoadDataFile("identity/default_model.json"));
  auto model = ModelFromJson(text);
  if (!model) return std::unexpected(std::move(model).error().WithContext("identity/default_model.json"));
  return model;
}

void NameFrequency::Add(const std::string& value) {
  if (value.empty()) return;
  int64_t& c = counts_[value];
  sum_squares_ += 2.0 * static_cast<double>(c) + 1.0;
  ++c;
  ++total_;
}

int64_t NameFrequency::Count(const std::string& value) const {
  auto it = counts_.find(value);
  return it == counts_.end() ? 0 : it->second;
}

double NameFrequency::Adjustment(const std::string& value,
                                 const TermFrequencyLimits& limits) const {
  if (total_ == 0 || value.empty()) return 0.0;
  const double count = static_cast<double>(std::max<int64_t>(1, Count(value)));
  // log2(ū / f) with ū = Σc²/N² and f = c/N.
  const double adj = std::log2(sum_squares_ / (static_cast<double>(total_) * count));
  return std::clamp(adj, -limits.max_penalty, limits.max_bonus);
}

double NameAdjustment(const NameFrequency& frequency, const PersonKeys& candidate,
                      const TermFrequencyLimits& limits) {
  const std::string& value =
      candidate.name_split ? candidate.family_folded : candidate.name_folded;
  return frequency.Adjustment(value, limits);
}

double TermFrequencyAdjustment(int64_t count, int64_t total, const TermFrequencyLimits& limits) {
  if (total < std::max<int64_t>(limits.min_patients, 1) || limits.family_coincidence <= 0) {
    return 0.0;
  }
  const double share = static_cast<double>(std::max<int64_t>(count, 1)) / static_cast<double>(total);
  return std::clamp(std::log2(limits.family_coincidence / share), -limits.max_penalty,
                    limits.max_bonus);
}

std::string FamilyNameForFrequency(const PersonKeys& row, const PersonKeys& candidate) {
  if (candidate.name_split) return candidate.family_folded;
  if (row.name_split && !row.family_folded.empty() &&
      candidate.name_folded.starts_with(row.family_folded)) {
    return row.family_folded;
  }
  return "";
}

bool NameAgreementAdjusted(const ComparisonVector& v) {
  return v.name() == NameLevel::kExact || v.name() == NameLevel::kVariantFold;
}

namespace {
bool AdjustedLevel(const ComparisonVector& v) { return NameAgreementAdjusted(v); }

// The kanji name and its reading are two records of one fact. For different
// people they agree together (a namesake shares the reading) as often as for
// the same person, so adding both weights double-counts the name; the
// evaluation showed it: name, kana and birth date alone outscored every
// threshold that let a row with one kana typo link. When both sides have
// both, only the stronger weight counts; the consistency field says whether
// they tell the same story.
struct NameWeights {
  double kanji = 0;  // including the term-frequency adjustment
  double kana = 0;
  bool kanji_counted = true;
  bool kana_counted = true;
};

NameWeights CountedNameWeights(const ModelParameters& model, const ComparisonVector& v,
                               double name_adjustment) {
  NameWeights w;
  w.kanji = model.Weight(Field::kKanjiName, v.Level(Field::kKanjiName)) +
            (AdjustedLevel(v) ? name_adjustment : 0.0);
  w.kana = model.Weight(Field::kKana, v.Level(Field::kKana));
  if (v.name() != NameLevel::kMissing && v.kana() != KanaLevel::kMissing) {
    if (w.kanji >= w.kana) {
      w.kana_counted = false;
    } else {
      w.kanji_counted = false;
    }
  }
  return w;
}
}  // namespace

double TotalWeight(const ModelParameters& model, const ComparisonVector& v,
                   double name_adjustment) {
  const NameWeights names = CountedNameWeights(model, v, name_adjustment);
  double total = (names.kanji_counted ? names.kanji : 0.0) + (names.kana_counted ? names.kana : 0.0);
  for (Field f : kAllFields) {
    if (f == Field::kKanjiName || f == Field::kKana) continue;
    total += model.Weight(f, v.Level(f));
  }
  return total;
}

ScoreResult Score(const ModelParameters& model, const ComparisonVector& v,
                  double name_adjustment) {
  const NameWeights names = CountedNameWeights(model, v, name_adjustment);
  ScoreResult r;
  r.fields.reserve(kFieldCount);
  for (Field f : kAllFields) {
    const FieldInfo& info = DescribeField(f);
    FieldContribution c;
    c.field = f;
    c.level = v.Level(f);
    c.weight = f == Field::kKanjiName ? names.kanji
               : f == Field::kKana    ? names.kana
                                      : model.Weight(f, c.level);
    const LevelInfo* level = c.level < info.levels.size() ? &info.levels[c.level] : nullptr;
    const std::string ja = level ? std::string(level->ja) : "不明な水準";
    const std::string en = level ? std::string(level->en) : "unknown level";
    std::string tf_ja, tf_en;
    if (f == Field::kKanjiName && AdjustedLevel(v) && name_adjustment != 0.0) {
      if (name_adjustment < 0) {
        tf_ja = ", よくある姓 " + Signed(name_adjustment);
        tf_en = ", common family name " + Signed(name_adjustment);
      } else {
        tf_ja = ", 珍しい姓 " + Signed(name_adjustment);
        tf_en = ", rare family name " + Signed(name_adjustment);
      }
    }
    const bool dropped = (f == Field::kKanjiName && !names.kanji_counted) ||
                         (f == Field::kKana && !names.kana_counted);
    if (dropped) {
      tf_ja += ", 氏名と同じ事実のため不算入";
      tf_en += ", not added: the same fact as the name";
    }
    c.explanation_ja =
        std::string(info.ja) + ": " + ja + " (" + Signed(c.weight) + tf_ja + ")";
    c.explanation_en =
        std::string(info.en) + ": " + en + " (" + Signed(c.weight) + tf_en + ")";
    if (dropped) c.weight = 0;
    r.total += c.weight;
    r.fields.push_back(std::move(c));
  }
  return r;
}

}  // namespace ichigen::identity
