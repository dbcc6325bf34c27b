// The status update sheet writer (kind `updates`): hospital and lodging
// sheets list stays (入院日+退院日 or 入所日+退所日 in one row, 死亡日
// sometimes; a blank end means still there); health-center sheets list
// events (区分 + 日付). A share of rows carry no HER-SYS ID, only who the
// patient is, written differently from the HER-SYS export.
#include <algorithm>
#include <array>
#include <cmath>
#include <vector>

#include "synth/identity_rows.h"
#include "synth/row_forms.h"

namespace ichigen::synth {
namespace {

enum Column { kId, kName, kKana, kBirth, kSex, kPhone, kAddress, kIdentityColumns };

constexpr std::array<std::array<std::string_view, 4>, kIdentityColumns> kIdentityHeaders = {{
    {"HER-SYS ID", "HERSYS_ID", "HER-SYSID", "患者ID"},
    {"氏名", "患者氏名", "氏名", "患者氏名"},
    {"フリガナ", "氏名カナ", "ふりがな", "カナ氏名"},
    {"生年月日", "生年月日", "生年月日", "生年月日"},
    {"性別", "性別", "性別", "性別"},
    {"電話番号", "連絡先", "携帯電話番号", "電話番号"},
    {"住所", "現住所", "居住地住所", "住所"},
}};

enum class Defect {
  kMissingEventDate, kImpossibleDate, kAbsurdDate, kStrayQuote, kBadIdShape,
  kMissingIdentity, kUnknownEvent
};
constexpr std::array<std::string_view, 7> kDefectNames = {
    "missing_event_date", "impossible_date", "absurd_date", "stray_quote", "bad_id_shape",
    "missing_identity", "unknown_event"};

struct EventKind {
  std::string_view name;
  double weight;
  int min_days;  // after notification
  int max_days;
};
constexpr std::array<EventKind, 8> kEvents = {{
    {"自宅療養開始", 40, 0, 1}, {"入院", 15, 0, 5}, {"退院", 10, 5, 14},
    {"入所", 5, 0, 3}, {"退所", 5, 4, 10}, {"療養解除", 20, 7, 11},
    {"死亡", 2, 3, 30}, {"届出取下げ", 1, 0, 3},
}};

std::string_view SheetName(SheetKind sheet) {
  switch (sheet) {
    case SheetKind::kHospital: return "hospital";
    case SheetKind::kLodging: return "lodging";
    default: return "health_center";
  }
}

class UpdateRows {
 public:
  UpdateRows(const Population& population, const FileStyle& style, SheetKind sheet)
      : population_(population), style_(style), sheet_(sheet) {
    static constexpr std::array<double, kEvents.size()> kWeights = [] {
      std::array<double, kEvents.size()> w{};
      for (size_t i = 0; i < kEvents.size(); ++i) w[i] = kEvents[i].weight;
      return w;
    }();
    event_table_ = AliasTable(kWeights);
    fields_.resize(Width());
  }

  size_t Width() const {
    switch (sheet_) {
      case SheetKind::kHospital: return kIdentityColumns + 6;  // facility, code, 入院 退院 死亡, 備考
      case SheetKind::kLodging: return kIdentityColumns + 5;   // facility, code, 入所 退所, 備考
      default: return kIdentityColumns + 4;                    // 区分, 日付, facility, 備考
    }
  }

  std::vector<std::string> Header(HeaderStyle header_style, Rng& rng) const {
    std::vector<std::string> header;
    for (const auto& synonyms : kIdentityHeaders) {
      header.emplace_back(PickHeader(synonyms, header_style, rng));
    }
    static constexpr std::string_view kEvent[] = {"区分", "異動区分", "種別"};
    static constexpr std::string_view kEventOn[] = {"日付", "異動日"};
    static constexpr std::string_view kHospital[] = {"医療機関名", "施設名"};
    static constexpr std::string_view kLodging[] = {"宿泊施設名", "施設名"};
    static constexpr std::string_view kCode[] = {"施設コード", "医療機関コード"};
    switch (sheet_) {
      case SheetKind::kHospital:
        header.emplace_back(PickHeader(kHospital, header_style, rng));
        header.emplace_back(PickHeader(kCode, header_style, rng));
        header.insert(header.end(), {"入院日", "退院日", "死亡日"});
        break;
      case SheetKind::kLodging:
        header.emplace_back(PickHeader(kLodging, header_style, rng));
        header.emplace_back(PickHeader(kCode, header_style, rng));
        header.insert(header.end(), {"入所日", "退所日"});
        break;
      default:
        header.emplace_back(PickHeader(kEvent, header_style, rng));
        header.emplace_back(PickHeader(kEventOn, header_style, rng));
        header.emplace_back(PickHeader(kHospital, header_style, rng));
        break;
    }
    header.emplace_back("備考");
    return header;
  }

  std::vector<std::string>& fields() { return fields_; }

  // `with_id`: the row names the patient by HER-SYS ID (and maybe a name);
  // otherwise it carries identity fields for matching: `identity` when
  // given (--identity-noise), else the patient's in the file's forms.
  void Fill(const Person& p, bool with_id, const IdentityFields* identity, Rng& rng) {
    for (std::string& field : fields_) field.clear();
    const Places& places = population_.places();
    if (with_id) {
      AppendInt(p.hersys_id, fields_[kId]);
      if (rng.Chance(0.7)) AppendName(p, style_, rng, fields_[kName]);
      if (rng.Chance(0.3)) AppendKana(p, style_, rng, fields_[kKana]);
      if (rng.Chance(0.3)) AppendVariedDate(p.birth, style_.birth_date, rng, fields_[kBirth]);
    } else if (identity != nullptr) {
      fields_[kName] = identity->name;
      fields_[kKana] = identity->kana;
      fields_[kBirth] = identity->birth;
      fields_[kSex] = identity->sex;
      fields_[kPhone] = identity->phone;
      fields_[kAddress] = identity->address;
    } else {
      AppendName(p, style_, rng, fields_[kName]);
      if (rng.Chance(0.9)) AppendKana(p, style_, rng, fields_[kKana]);
      AppendVariedDate(p.birth, style_.birth_date, rng, fields_[kBirth]);
      if (rng.Chance(0.95)) AppendSex(p.sex, style_, fields_[kSex]);
      if (rng.Chance(0.85)) AppendVariedPhone(p.phone, style_, rng, fields_[kPhone]);
      if (rng.Chance(0.8)) AppendVariedAddress(places, p.address, style_, rng, fields_[kAddress]);
    }
    const size_t base = kIdentityColumns;
    switch (sheet_) {
      case SheetKind::kHospital: {
        const int facility = static_cast<int>(rng.Below(12));
        AppendFacility(facility, fields_[base]);
        AppendFacilityCode(facility, fields_[base + 1]);
        const core::Date admitted = p.notified.AddDays(rng.Between(0, 3));
        AppendDate(admitted, style_.date, fields_[base + 2]);
        if (p.age >= 70 && rng.Chance(0.05)) {
          AppendDate(admitted.AddDays(rng.Between(2, 20)), style_.date, fields_[base + 4]);
        } else if (rng.Chance(0.75)) {
          AppendDate(admitted.AddDays(rng.Between(4, 14)), style_.date, fields_[base + 3]);
        }
        break;
      }
      case SheetKind::kLodging: {
        const int facility = static_cast<int>(rng.Below(6));
        AppendLodging(facility, fields_[base]);
        fields_[base + 1] = "H";
        AppendPadded(facility + 1, 3, fields_[base + 1]);
        const core::Date checked_in = p.notified.AddDays(rng.Between(0, 2));
        AppendDate(checked_in, style_.date, fields_[base + 2]);
        if (rng.Chance(0.8)) {
          AppendDate(checked_in.AddDays(rng.Between(3, 9)), style_.date, fields_[base + 3]);
        }
        break;
      }
      default: {
        const EventKind& event = kEvents[event_table_.Sample(rng)];
        fields_[base].append(event.name);
        AppendVariedDate(p.notified.AddDays(rng.Between(event.min_days, event.max_days)),
                         style_.date, rng, fields_[base + 1]);
        if (event.name == "入院" || event.name == "退院") {
          AppendFacility(static_cast<int>(rng.Below(12)), fields_[base + 2]);
        } else if (event.name == "入所" || event.name == "退所") {
          AppendLodging(static_cast<int>(rng.Below(6)), fields_[base + 2]);
        }
        break;
      }
    }
    if (rng.Chance(0.05)) fields_.back() = "電話にて確認";
  }

  // Spoils the row; returns the raw (unquoted) column, or -1.
  int Spoil(Defect defect, const Person& p, int64_t ordinal, Rng& rng) {
    const int variant = static_cast<int>(ordinal / static_cast<int64_t>(kDefectNames.size()));
    const size_t date_column = kIdentityColumns + (sheet_ == SheetKind::kHealthCenter ? 1 : 2);
    switch (defect) {
      case Defect::kMissingEventDate: {
        // No date at all (a stay loses its start, end and death dates).
        const size_t last = sheet_ == SheetKind::kHealthCenter ? date_column : fields_.size() - 2;
        for (size_t c = date_column; c <= last; ++c) fields_[c].clear();
        break;
      }
      case Defect::kImpossibleDate:
        fields_[date_column].clear();
        AppendImpossibleDate(p.notified, variant, fields_[date_column]);
        break;
      case Defect::kAbsurdDate: {
        const core::Ymd ymd = p.notified.ToYmd();
        fields_[date_column].clear();
        AppendDate(core::Date::FromYmd(variant % 2 == 0 ? 2099 : 1800, ymd.month,
                                       std::min(ymd.day, 28)).value(),
                   style_.date, fields_[date_column]);
        break;
      }
      case Defect::kStrayQuote:
        fields_[kName].clear();
        AppendStrayQuoteName(p, fields_[kName]);
        return kName;
      case Defect::kBadIdShape:
        fields_[kId].clear();
        AppendBadId(p.hersys_id, variant, fields_[kId]);
        break;
      case Defect::kMissingIdentity:
        for (size_t c = 0; c < kIdentityColumns; ++c) fields_[c].clear();
        break;
      case Defect::kUnknownEvent:
        if (sheet_ == SheetKind::kHealthCenter) {
          fields_[kIdentityColumns] = variant % 2 == 0 ? "移動" : "その他";
        } else {
          // A stay that ends before it starts.
          const size_t end_column = kIdentityColumns + 3;
          fields_[end_column].clear();
          AppendDate(p.notified.AddDays(-rng.Between(3, 10)), style_.date, fields_[end_column]);
        }
        break;
    }
    return -1;
  }

 private:
  void AppendFacility(int k, std::string& out) const {
    const std::vector<Place>& places = population_.places().places();
    const Place& place = places[static_cast<size_t>(k * 7) % places.size()];
    switch (k % 4) {
      case 0: out.append(place.municipality->name), out.append("民病院"); break;
      case 1: out.append("県立"), out.append(place.municipality->name), out.append("病院"); break;
      case 2:
        out.append(population_.names().surnames()[static_cast<size_t>(k) * 3].surface);
        out.append("記念病院");
        break;
      default:
        out.append(population_.places().towns()[place.towns.front()].name);
        out.append("中央病院");
        break;
    }
  }

  void AppendFacilityCode(int k, std::string& out) const {
    AppendPadded(population_.places().prefecture().code, 2, out);
    AppendPadded(static_cast<int64_t>(Mix64(static_cast<uint64_t>(k)) % 100'000'000), 8, out);
  }

  void AppendLodging(int k, std::string& out) const {
    const std::vector<Place>& places = population_.places().places();
    const Place& place = places[static_cast<size_t>(k * 11) % places.size()];
    if (k % 2 == 0) {
      out.append("ホテル"), out.append(population_.places().towns()[place.towns.front()].name);
      out.append("（宿泊療養施設）");
    } else {
      out.append(place.municipality->name), out.append("第"), AppendInt(k / 2 + 1, out);
      out.append("療養ホテル");
    }
  }

  const Population& population_;
  const FileStyle& style_;
  SheetKind sheet_;
  AliasTable event_table_;
  std::vector<std::string> fields_;
};

}  // namespace

core::Result<SynthSummary> WriteUpdates(const SynthOptions& options,
                                        const Population& population, const FileStyle& style,
                                        TableSink& sink, TruthWriter& truth, Rng& rng) {
  SynthSummary summary;
  SheetKind sheet = options.sheet;
  if (sheet == SheetKind::kRandom) sheet = static_cast<SheetKind>(1 + rng.Below(3));
  summary.sheet = std::string(SheetName(sheet));
  std::vector<Defect> defects;
  for (size_t k = 0; k < kDefectNames.size(); ++k) {
    if (static_cast<Defect>(k) == Defect::kStrayQuote && options.format == OutputFormat::kXlsx) {
      continue;
    }
    defects.push_back(static_cast<Defect>(k));
  }
  static constexpr std::string_view kLabels[] = {"", "入退院報告", "入退所報告", "保健所異動報告"};
  RETURN_IF_ERROR(WriteTitleRows(sink, options.title_rows, kLabels[static_cast<int>(sheet)],
                                 population.curve().to(), options.rows));
  UpdateRows writer(population, style, sheet);
  const IdentityRows identity_rows(
      population, style, options.stranger_rate,
      options.format == OutputFormat::kCsv && options.encoding == io::Encoding::kCp932);
  IdentityFields identity;
  RETURN_IF_ERROR(sink.WriteRow(writer.Header(options.header_style, rng)));

  const int64_t bad = std::llround(static_cast<double>(options.rows) * options.bad_rate);
  ExactSelector bad_selector(bad, options.rows);
  Person person;
  for (int64_t row = 0; row < options.rows; ++row) {
    const int64_t line = sink.lines() + 1;
    population.Make(static_cast<int64_t>(rng.Below(static_cast<uint64_t>(population.patients()))),
                    person);
    const bool is_bad = bad_selector.Next(rng);
    const Defect defect = defects[static_cast<size_t>(summary.bad_rows) % defects.size()];
    bool with_id = !rng.Chance(options.no_id_rate);
    if (is_bad && defect == Defect::kBadIdShape) with_id = true;
    const bool noisy = options.identity_noise && !with_id;
    if (noisy) identity_rows.Fill(person, rng, identity);
    writer.Fill(person, with_id, noisy ? &identity : nullptr, rng);
    int raw_column = -1;
    std::string_view reason = "ok";
    if (is_bad) {
      raw_column = writer.Spoil(defect, person, summary.bad_rows, rng);
      reason = kDefectNames[static_cast<size_t>(defect)];
      ++summary.bad_by_kind[std::string(reason)];
      ++summary.bad_rows;
    }
    RETURN_IF_ERROR(sink.WriteRow(writer.fields(), raw_column));
    if (!options.identity_noise) {
      RETURN_IF_ERROR(truth.Write(line, person.hersys_id, person.index + 1, !is_bad, reason));
      continue;
    }
    // A stranger is nobody in the store: no patient in the truth.
    const bool stranger = noisy && identity.kind != IdentityRowKind::kExisting;
    if (noisy) ++summary.identity_rows_by_kind[std::string(IdentityRowKindName(identity.kind))];
    RETURN_IF_ERROR(truth.Write(line, stranger ? 0 : person.hersys_id,
                                stranger ? 0 : person.index + 1, !is_bad, reason,
                                noisy ? IdentityRowKindName(identity.kind) : "with_id",
                                noisy ? identity.NoiseText() : ""));
  }
  summary.rows = options.rows;
  summary.patients = population.patients();
  return summary;
}

}  // namespace ichigen::synth
