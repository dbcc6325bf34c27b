#include "intake/hersys_row.h"

#include <charconv>
#include <span>

#include "core/sha256.h"
#include "text/date_parser.h"
#include "text/kana.h"
#include "text/name.h"
#include "text/normalize.h"
#include "text/phone.h"

namespace ichigen::intake {

namespace {

using Rejection = std::unexpected<Reason>;

struct Choice {
  std::string_view written;
  std::string_view value;
};

// Closed lists, matched after NFKC and case folding.
constexpr Choice kSexChoices[] = {
    {"男", "男"}, {"男性", "男"}, {"m", "男"}, {"male", "男"}, {"1", "男"},
    {"女", "女"}, {"女性", "女"}, {"f", "女"}, {"female", "女"}, {"2", "女"},
    {"その他", "その他"}, {"3", "その他"}, {"不明", "不明"}, {"9", "不明"}, {"0", "不明"},
};
constexpr Choice kSeverityChoices[] = {
    {"無症状", "無症状"}, {"軽症", "軽症"}, {"中等症", "中等症"}, {"中等症i", "中等症"},
    {"中等症ii", "中等症"}, {"重症", "重症"},
};
constexpr Choice kCareStatusChoices[] = {
    {"調整中", "調整中"}, {"入院・療養等調整中", "調整中"}, {"入院等調整中", "調整中"},
    {"入院中", "入院中"}, {"入院", "入院中"}, {"宿泊療養中", "宿泊療養中"}, {"宿泊療養", "宿泊療養中"},
    {"自宅療養中", "自宅療養中"}, {"自宅療養", "自宅療養中"}, {"療養解除", "療養解除"},
    {"退院", "療養解除"}, {"死亡", "死亡"}, {"不明", "不明"},
};
constexpr Choice kConsentChoices[] = {
    {"有", "1"}, {"あり", "1"}, {"1", "1"}, {"○", "1"}, {"〇", "1"}, {"はい", "1"},
    {"同意", "1"}, {"同意あり", "1"}, {"yes", "1"}, {"true", "1"},
    {"無", "0"}, {"なし", "0"}, {"0", "0"}, {"×", "0"}, {"いいえ", "0"}, {"不同意", "0"},
    {"同意なし", "0"}, {"no", "0"}, {"false", "0"},
};

std::string Lower(std::string text) {
  for (char& c : text) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return text;
}

template <size_t N>
std::optional<std::string_view> Choose(const Choice (&choices)[N], std::string_view raw) {
  const std::string key = Lower(text::NormalizeText(raw));
  for (const Choice& choice : choices) {
    if (choice.written == key) return choice.value;
  }
  return std::nullopt;
}

bool AllDigits(std::string_view text) {
  if (text.empty()) return false;
  for (char c : text) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

void AddFlag(std::string& flags, std::string_view flag) {
  if (!flags.empty()) flags += ',';
  flags += flag;
}

}  // namespace

void AppendJsonString(std::string& out, std::string_view text) {
  out += '"';
  for (unsigned char c : text) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (c < 0x20) {
          static constexpr char kHex[] = "0123456789abcdef";
          out += "\\u00";
          out += kHex[c >> 4];
          out += kHex[c & 15];
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  out += '"';
}

std::string RawValuesJson(const Profile& profile, const std::vector<std::string>& values) {
  std::string out = "{";
  bool first = true;
  for (size_t i = 0; i < values.size() && i < profile.fields.size(); ++i) {
    if (values[i].empty()) continue;
    if (!first) out += ',';
    first = false;
    AppendJsonString(out, profile.fields[i].field);
    out += ':';
    AppendJsonString(out, values[i]);
  }
  out += '}';
  return out;
}

HersysRowMapper::HersysRowMapper(const Profile& profile, const geo::Registry& registry,
                                 const geo::AddressResolver& resolver, core::Date today)
    : profile_(profile),
      registry_(registry),
      resolver_(resolver),
      today_(today),
      earliest_(*core::Date::FromYmd(kEarliestCareDate.year, kEarliestCareDate.month,
                                     kEarliestCareDate.day)) {
  auto at = [&](std::string_view field) { return profile.FieldIndex(field); };
  index_ = Index{at("hersys_id"),       at("notified_on"),   at("name"),
                 at("name_kana"),       at("sex"),           at("birth_date"),
                 at("age"),             at("postal_code"),   at("address"),
                 at("municipality_code"), at("phone"),       at("occupation"),
                 at("onset_on"),        at("diagnosed_on"),  at("reporting_facility"),
                 at("health_center"),   at("severity"),      at("care_status"),
                 at("care_start_on"),   at("consent_share")};
}

std::expected<store::PatientRecord, Reason> HersysRowMapper::Map(
    const std::vector<std::string>& values) const {
  auto raw = [&](int index) -> std::string_view {
    if (index < 0 || static_cast<size_t>(index) >= values.size()) return {};
    return values[index];
  };
  auto label = [&](int index) -> std::string {
    const ProfileField& field = profile_.fields[index];
    return field.synonyms.empty() ? field.field : field.synonyms.front();
  };

  bool blank = true;
  for (const std::string& value : values) {
    if (!value.empty()) blank = false;
  }
  if (blank) return Rejection(MakeReason(ReasonCode::kBlankRow));

  for (const std::string& value : values) {
    if (!text::IsValidUtf8(value) || value.find("\xEF\xBF\xBD") != std::string::npos) {
      return Rejection(MakeReason(ReasonCode::kInvalidEncoding));
    }
  }

  for (int index : {index_.hersys_id, index_.notified_on, index_.name, index_.address}) {
    if (index >= 0 && text::NormalizeText(raw(index)).empty()) {
      return Rejection(MakeReason(ReasonCode::kMissingRequired, label(index),
                                  profile_.fields[index].field));
    }
  }

  store::PatientRecord p;
  const std::string id = text::NormalizeText(raw(index_.hersys_id));
  if (id.size() < 6 || id.size() > 8 || !AllDigits(id)) {
    return Rejection(MakeReason(ReasonCode::kBadHersysId, "「" + id + "」", id));
  }
  p.hersys_id = id;

  // Dates: parse, then check the plausible range.
  auto date_field = [&](int index, std::string& out) -> std::optional<Reason> {
    const std::string_view text_value = raw(index);
    if (index < 0 || text::NormalizeText(text_value).empty()) return std::nullopt;
    auto parsed = text::ParseDate(text_value);
    if (!parsed) {
      return MakeReason(ReasonCode::kBadDate,
                        label(index) + "「" + std::string(text_value) + "」 " + parsed.error().message,
                        profile_.fields[index].field + " \"" + std::string(text_value) + "\" " +
                            parsed.error().message_en);
    }
    out = parsed->date.ToIso();
    return std::nullopt;
  };
  auto in_care_range = [&](int index, const std::string& iso) -> std::optional<Reason> {
    if (iso.empty()) return std::nullopt;
    const core::Date date = *core::Date::ParseIso(iso);
    if (date < earliest_ || date > today_.AddDays(1)) {
      return MakeReason(ReasonCode::kDateOutOfRange,
                        label(index) + "「" + std::string(raw(index)) + "」（" +
                            earliest_.ToIso() + "～" + today_.ToIso() + "）",
                        profile_.fields[index].field + " " + iso + " (" + earliest_.ToIso() +
                            " to " + today_.ToIso() + ")");
    }
    return std::nullopt;
  };
  for (auto [index, out] : {std::pair{index_.notified_on, &p.notified_on},
                            std::pair{index_.onset_on, &p.onset_on},
                            std::pair{index_.diagnosed_on, &p.diagnosed_on},
                            std::pair{index_.care_start_on, &p.care_start_on}}) {
    if (auto reason = date_field(index, *out)) return Rejection(*reason);
    if (auto reason = in_care_range(index, *out)) return Rejection(*reason);
  }
  if (auto reason = date_field(index_.birth_date, p.birth_date)) return Rejection(*reason);
  if (!p.birth_date.empty()) {
    const core::Date birth = *core::Date::ParseIso(p.birth_date);
    const core::Date notified = *core::Date::ParseIso(p.notified_on);
    if (birth > notified) {
      return Rejection(MakeReason(ReasonCode::kBirthAfterNotified,
                                  p.birth_date + " > " + p.notified_on,
                                  p.birth_date + " > " + p.notified_on));
    }
    if (core::AgeOn(birth, notified) > 125) {
      return Rejection(MakeReason(ReasonCode::kDateOutOfRange,
                                  label(index_.birth_date) + "「" + std::string(raw(index_.birth_date)) +
                                      "」（125歳を超えます）",
                                  "birth date " + p.birth_date + " (older than 125)"));
    }
  }

  // Name and reading.
  const text::NormalizedName name = text::NormalizeName(raw(index_.name));
  p.name = name.display;
  p.name_key = name.key;
  p.name_folded = name.folded_key;
  for (const std::string& flag : name.flags) AddFlag(p.flags, "name_" + flag);
  if (!text::NormalizeText(raw(index_.name_kana)).empty()) {
    const text::NormalizedKana kana = text::NormalizeKana(raw(index_.name_kana));
    p.name_kana = kana.katakana;
    p.kana_key = kana.phonetic;
    if (!kana.valid) AddFlag(p.flags, "kana_invalid");
  }

  if (!text::NormalizeText(raw(index_.sex)).empty()) {
    auto sex = Choose(kSexChoices, raw(index_.sex));
    if (!sex) {
      return Rejection(MakeReason(ReasonCode::kBadSex, "「" + std::string(raw(index_.sex)) + "」",
                                  std::string(raw(index_.sex))));
    }
    p.sex = std::string(*sex);
  }

  const std::string age_text = text::NormalizeText(raw(index_.age));
  if (!age_text.empty()) {
    std::string digits = age_text;
    if (digits.ends_with("歳")) digits.resize(digits.size() - std::string_view("歳").size());
    int age = -1;
    auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), age);
    if (ec != std::errc() || end != digits.data() + digits.size() || age < 0 || age > 125) {
      return Rejection(MakeReason(ReasonCode::kBadAge, "「" + age_text + "」", age_text));
    }
    p.age = age;
  }
  if (!p.birth_date.empty()) {
    const int computed = core::AgeOn(*core::Date::ParseIso(p.birth_date),
                                     *core::Date::ParseIso(p.notified_on));
    if (p.age && std::abs(*p.age - computed) > 1) AddFlag(p.flags, "age_mismatch");
    if (!p.age) p.age = computed;
  }

  // Residence: the address decides; a given code is a cross-check.
  const std::string code_text = text::NormalizeText(raw(index_.municipality_code));
  const geo::Municipality* given = nullptr;
  if (!code_text.empty()) {
    if (!AllDigits(code_text) || (code_text.size() != 5 && code_text.size() != 6) ||
        (code_text.size() == 6 && !geo::IsValidCode6(code_text))) {
      return Rejection(MakeReason(ReasonCode::kBadMunicipalityCode, "「" + code_text + "」",
                                  code_text));
    }
    given = registry_.FindByCode(code_text);
    if (given == nullptr) {
      return Rejection(MakeReason(ReasonCode::kBadMunicipalityCode,
                                  "「" + code_text + "」は存在しないコードです",
                                  code_text + " does not exist"));
    }
  }
  p.postal_code = text::NormalizeText(raw(index_.postal_code));
  const geo::Residence residence =
      resolver_.Resolve(raw(index_.address), code_text, p.postal_code);
  p.address = residence.normalized.empty() ? text::NormalizeText(raw(index_.address))
                                           : residence.normalized;
  const geo::Municipality* home = nullptr;
  if (residence.municipality != nullptr && residence.confidence >= geo::Confidence::kMedium) {
    home = residence.municipality;
  } else if (given != nullptr) {
    home = given;
    AddFlag(p.flags, "residence_from_code");
  }
  if (residence.code_disagrees || (given != nullptr && home != nullptr && home != given &&
                                   home->code6 != given->code6)) {
    AddFlag(p.flags, "code_mismatch");
  }
  if (home != nullptr) {
    p.municipality_code = home->code6;
    p.residence_confidence = std::string(geo::ConfidenceName(
        home == residence.municipality ? residence.confidence : geo::Confidence::kMedium));
  } else {
    p.residence_confidence = std::string(geo::ConfidenceName(residence.confidence));
    AddFlag(p.flags, "residence_unknown");
  }

  const text::NormalizedPhone phone = text::NormalizePhone(raw(index_.phone));
  p.phone = text::NormalizeText(raw(index_.phone));
  p.phone_key = phone.key;
  if (!p.phone.empty() && !phone.valid) AddFlag(p.flags, "phone_invalid");
  // Two numbers in one cell: the first is matched on; the flag tells a clerk.
  if (phone.multiple) AddFlag(p.flags, "phone_multiple");

  p.occupation = text::NormalizeText(raw(index_.occupation));
  p.reporting_facility = text::NormalizeText(raw(index_.reporting_facility));
  p.health_center = text::NormalizeText(raw(index_.health_center));
  if (p.health_center.empty() && home != nullptr) p.health_center = home->health_center;

  struct ClosedField {
    int index;
    std::string* out;
    std::span<const Choice> choices;
  };
  for (const ClosedField& field :
       {ClosedField{index_.severity, &p.severity, kSeverityChoices},
        ClosedField{index_.care_status, &p.care_status, kCareStatusChoices}}) {
    const std::string value = text::NormalizeText(raw(field.index));
    if (value.empty()) continue;
    const std::string key = Lower(value);
    bool found = false;
    for (const Choice& choice : field.choices) {
      if (choice.written == key) {
        *field.out = std::string(choice.value);
        found = true;
      }
    }
    if (!found) {
      return Rejection(MakeReason(ReasonCode::kBadValue, label(field.index) + "「" + value + "」",
                                  profile_.fields[field.index].field + " \"" + value + "\""));
    }
  }
  if (!text::NormalizeText(raw(index_.consent_share)).empty()) {
    auto consent = Choose(kConsentChoices, raw(index_.consent_share));
    if (!consent) {
      return Rejection(MakeReason(ReasonCode::kBadValue,
                                  label(index_.consent_share) + "「" +
                                      std::string(raw(index_.consent_share)) + "」",
                                  "consent_share \"" + std::string(raw(index_.consent_share)) + "\""));
    }
    p.consent_share = *consent == "1";
  }

  p.raw_json = RawValuesJson(profile_, values);
  // 64 bits of SHA-256: enough to tell a patient's row from its previous version.
  p.content_hash = core::Sha256Hex(p.raw_json).substr(0, 16);
  return p;
}

}  // namespace ichigen::intake
