#include "distribution/agreement.h"

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>

#include "core/resources.h"
#include "geo/registry.h"

namespace ichigen::distribution {
namespace {

core::Error PolicyError(std::string ja, std::string en) {
  return core::Error{core::Code::kInvalidArgument, "配布設定 (policy.json) が正しくありません: " + ja,
                     "invalid distribution policy (policy.json): " + en,
                     "distribution/policy.json"};
}

core::Error InvalidAgreement(const Agreement& agreement, std::string ja, std::string en) {
  return core::Error{core::Code::kInvalidArgument, std::move(ja), std::move(en),
                     "agreement " + agreement.municipality_code6 + " v" +
                         std::to_string(agreement.version)};
}

}  // namespace

core::Result<DistributionPolicy> ParsePolicy(std::string_view json_text) {
  const nlohmann::json json = nlohmann::json::parse(json_text, nullptr, /*allow_exceptions=*/false);
  if (json.is_discarded() || !json.is_object()) {
    return std::unexpected(PolicyError("JSONとして読めません", "not a JSON object"));
  }
  DistributionPolicy policy;
  for (const auto& [key, value] : json.items()) {
    if (key == "note") continue;
    if (key == "consent_required" || key == "include_arranging_at_home") {
      if (!value.is_boolean()) {
        return std::unexpected(PolicyError(key + " は true か false です", key + " must be a boolean"));
      }
      (key == "consent_required" ? policy.consent_required : policy.include_arranging_at_home) =
          value.get<bool>();
    } else if (key == "cutoff") {
      const std::string text = value.is_string() ? value.get<std::string>() : std::string();
      const core::Result<Cutoff> cutoff = ParseCutoff("2000-01-01T" + text);
      if (!cutoff.has_value() || text.size() != 5) {
        return std::unexpected(PolicyError("cutoff は HH:MM です", "cutoff must be HH:MM"));
      }
      policy.cutoff_minute_of_day = cutoff->minute_of_day;
    } else if (key == "csv_encoding") {
      const core::Result<io::Encoding> encoding =
          io::ParseEncodingName(value.is_string() ? value.get<std::string>() : std::string());
      if (!encoding.has_value() || *encoding == io::Encoding::kUtf8) {
        return std::unexpected(PolicyError("csv_encoding は cp932 か utf-8-bom です",
                                           "csv_encoding must be cp932 or utf-8-bom"));
      }
      policy.csv_encoding = *encoding;
    } else {
      return std::unexpected(PolicyError("不明な設定 " + key, "unknown key " + key));
    }
  }
  return policy;
}

core::Result<DistributionPolicy> LoadPolicy() {
  ASSIGN_OR_RETURN(const std::string text, core::LoadDataFile("distribution/policy.json"));
  return ParsePolicy(text);
}

Agreement DefaultAgreement(const DistributionPolicy& policy, std::string municipality_code6,
                           core::Date valid_from, std::vector<Field> fields) {
  Agreement agreement;
  agreement.municipality_code6 = std::move(municipality_code6);
  agreement.valid_from = valid_from;
  agreement.fields = std::move(fields);
  agreement.include_arranging_at_home = policy.include_arranging_at_home;
  agreement.consent_required = policy.consent_required;
  return agreement;
}

core::Status ValidateAgreement(const Agreement& agreement, const geo::Registry& registry) {
  if (!geo::IsValidCode6(agreement.municipality_code6)) {
    return std::unexpected(InvalidAgreement(
        agreement, "市区町村コードは検査数字付きの6桁です: " + agreement.municipality_code6,
        "municipality code must be 6 digits with a valid check digit: " +
            agreement.municipality_code6));
  }
  const geo::Municipality* municipality = registry.FindByCode(agreement.municipality_code6);
  if (municipality == nullptr) {
    return std::unexpected(InvalidAgreement(
        agreement, "市区町村コードが見つかりません: " + agreement.municipality_code6,
        "unknown municipality code: " + agreement.municipality_code6));
  }
  if (municipality->retired()) {
    return std::unexpected(InvalidAgreement(
        agreement, "廃止された市区町村コードです: " + agreement.municipality_code6,
        "retired municipality code: " + agreement.municipality_code6));
  }
  if (agreement.version < 1) {
    return std::unexpected(InvalidAgreement(agreement, "版は1以上です", "version must be >= 1"));
  }
  if (agreement.roll_up_to_city && !municipality->is_designated_city) {
    return std::unexpected(InvalidAgreement(
        agreement, municipality->full_name + " は政令指定都市ではないため、区の集約はできません",
        municipality->full_name + " is not a designated city; wards cannot roll up to it"));
  }
  if (!agreement.receives_data) return core::Ok();
  if (agreement.fields.empty()) {
    return std::unexpected(InvalidAgreement(
        agreement, "提供する項目がありません。使える項目: " + ValidFieldNames(),
        "no fields; valid names: " + ValidFieldNames()));
  }
  if (!std::is_sorted(agreement.fields.begin(), agreement.fields.end()) ||
      std::adjacent_find(agreement.fields.begin(), agreement.fields.end()) !=
          agreement.fields.end()) {
    return std::unexpected(InvalidAgreement(agreement, "項目は重複なく項目表の順に並べます",
                                            "fields must be unique, in catalogue order"));
  }
  if (agreement.purposes.empty()) {
    return std::unexpected(InvalidAgreement(agreement, "利用目的が空です", "purposes are empty"));
  }
  return core::Ok();
}

core::Status ValidateAgreementSet(std::span<const Agreement* const> in_force,
                                  const geo::Registry& registry) {
  std::map<std::string, const Agreement*> by_code;
  for (const Agreement* agreement : in_force) {
    if (!by_code.emplace(agreement->municipality_code6, agreement).second) {
      return core::Fail(core::Code::kFailedPrecondition,
                        "同じ市区町村に有効な覚書が2つあります: " + agreement->municipality_code6,
                        "two agreements in force for " + agreement->municipality_code6,
                        "agreements");
    }
  }
  for (const Agreement* agreement : in_force) {
    const geo::Municipality* municipality = registry.FindByCode(agreement->municipality_code6);
    if (municipality == nullptr || !municipality->is_ward) continue;
    const auto city = by_code.find(municipality->parent_code6);
    if (city != by_code.end() && city->second->roll_up_to_city && city->second->receives_data &&
        agreement->receives_data) {
      return core::Fail(core::Code::kFailedPrecondition,
                        municipality->full_name + " の覚書と、区を集約する市の覚書が重なっています",
                        "the agreement of ward " + agreement->municipality_code6 +
                            " overlaps its city's agreement, which rolls wards up",
                        "agreements");
    }
  }
  return core::Ok();
}

core::Result<AgreementHistory> AgreementHistory::Create(std::vector<Agreement> versions) {
  AgreementHistory history;
  std::sort(versions.begin(), versions.end(),
            [](const Agreement& a, const Agreement& b) { return a.version < b.version; });
  for (size_t i = 0; i < versions.size(); ++i) {
    const Agreement& agreement = versions[i];
    if (agreement.municipality_code6 != versions.front().municipality_code6) {
      return core::Fail(core::Code::kInvalidArgument, "覚書の版の市区町村コードが一致しません",
                        "agreement versions name different municipalities",
                        agreement.municipality_code6);
    }
    if (agreement.version < 1 || (i > 0 && agreement.version == versions[i - 1].version)) {
      return core::Fail(core::Code::kInvalidArgument, "覚書の版番号が重複しているか不正です",
                        "agreement versions must be distinct and positive",
                        agreement.municipality_code6 + " v" + std::to_string(agreement.version));
    }
  }
  if (!versions.empty()) history.municipality_code6_ = versions.front().municipality_code6;
  history.versions_ = std::move(versions);
  return history;
}

const Agreement* AgreementHistory::InForceAt(const Cutoff& cutoff) const {
  const int64_t at = cutoff.UnixSeconds();
  for (auto it = versions_.rbegin(); it != versions_.rend(); ++it) {
    if (it->recorded_at <= at && it->valid_from <= cutoff.date) return &*it;
  }
  return nullptr;
}

}  // namespace ichigen::distribution
