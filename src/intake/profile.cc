#include "intake/profile.h"

#include <nlohmann/json.hpp>

#include "core/resources.h"
#include "text/normalize.h"

namespace ichigen::intake {

int Profile::FieldIndex(std::string_view field) const {
  for (size_t i = 0; i < fields.size(); ++i) {
    if (fields[i].field == field) return static_cast<int>(i);
  }
  return -1;
}

core::Result<Profile> ParseProfile(std::string_view json_text, std::string_view origin) {
  const nlohmann::json json = nlohmann::json::parse(json_text, nullptr, /*allow_exceptions=*/false);
  auto bad = [&](std::string what) {
    return core::Fail(core::Code::kInvalidArgument, "取込プロファイルの形式が正しくありません",
                      "malformed import profile: " + what, std::string(origin));
  };
  if (!json.is_object()) return bad("not a JSON object");
  if (!json.contains("name") || !json["name"].is_string()) return bad("no name");
  if (!json.contains("fields") || !json["fields"].is_array()) return bad("no fields");
  Profile profile;
  profile.name = json["name"].get<std::string>();
  profile.title_ja = json.value("title_ja", profile.name);
  profile.title_en = json.value("title_en", profile.name);
  profile.source = json.value("source", profile.name);
  if (json.contains("require_one_of")) {
    if (!json["require_one_of"].is_array()) return bad("require_one_of must be a list of lists");
    for (const nlohmann::json& group : json["require_one_of"]) {
      if (!group.is_array()) return bad("require_one_of must be a list of lists");
      std::vector<std::string> names;
      for (const nlohmann::json& name : group) {
        if (!name.is_string()) return bad("require_one_of names must be strings");
        names.push_back(name.get<std::string>());
      }
      profile.require_one_of.push_back(std::move(names));
    }
  }
  for (const nlohmann::json& entry : json["fields"]) {
    if (!entry.is_object() || !entry.contains("field") || !entry["field"].is_string() ||
        !entry.contains("synonyms") || !entry["synonyms"].is_array()) {
      return bad("a field needs \"field\" and \"synonyms\"");
    }
    ProfileField field;
    field.field = entry["field"].get<std::string>();
    field.required = entry.value("required", false);
    for (const nlohmann::json& synonym : entry["synonyms"]) {
      if (!synonym.is_string()) return bad("synonyms must be strings");
      field.synonyms.push_back(synonym.get<std::string>());
    }
    const int index = static_cast<int>(profile.fields.size());
    for (const std::string& synonym : field.synonyms) {
      const std::string folded = text::FoldHeader(synonym);
      auto [it, inserted] = profile.by_folded_header.emplace(folded, index);
      if (!inserted && it->second != index) {
        return bad("synonym \"" + synonym + "\" names two fields");
      }
    }
    // The canonical name itself always matches too.
    profile.by_folded_header.emplace(text::FoldHeader(field.field), index);
    profile.fields.push_back(std::move(field));
  }
  for (const std::vector<std::string>& group : profile.require_one_of) {
    for (const std::string& name : group) {
      if (profile.FieldIndex(name) < 0) return bad("require_one_of names an unknown field " + name);
    }
  }
  return profile;
}

core::Result<std::vector<Profile>> LoadProfiles() {
  std::vector<Profile> profiles;
  for (const std::string& name : core::ListDataFiles("profiles")) {
    if (!name.ends_with(".json")) continue;
    ASSIGN_OR_RETURN(std::string text, core::LoadDataFile(name));
    ASSIGN_OR_RETURN(Profile profile, ParseProfile(text, name));
    profiles.push_back(std::move(profile));
  }
  if (profiles.empty()) {
    return core::Fail(core::Code::kFailedPrecondition, "取込プロファイルがありません",
                      "no import profiles found");
  }
  return profiles;
}

namespace {

HeaderMatch Score(const std::vector<std::string>& row, const Profile& profile) {
  HeaderMatch match;
  match.profile = &profile;
  match.headers = row;
  match.column_field.assign(row.size(), -1);
  std::vector<bool> seen(profile.fields.size(), false);
  for (size_t c = 0; c < row.size(); ++c) {
    const std::string folded = text::FoldHeader(row[c]);
    if (folded.empty()) continue;
    auto it = profile.by_folded_header.find(folded);
    if (it == profile.by_folded_header.end() || seen[it->second]) continue;
    seen[it->second] = true;
    match.column_field[c] = it->second;
    ++match.matched;
  }
  for (size_t f = 0; f < profile.fields.size(); ++f) {
    if (profile.fields[f].required && !seen[f]) {
      match.missing_required.push_back(profile.fields[f].synonyms.empty()
                                           ? profile.fields[f].field
                                           : profile.fields[f].synonyms.front());
    }
  }
  for (const std::vector<std::string>& group : profile.require_one_of) {
    bool any = false;
    std::string labels;
    for (const std::string& name : group) {
      const int index = profile.FieldIndex(name);
      any = any || seen[index];
      if (!labels.empty()) labels += "・";
      labels += profile.fields[index].synonyms.empty() ? name : profile.fields[index].synonyms.front();
    }
    if (!any) match.missing_required.push_back(labels + " のいずれか");
  }
  return match;
}

std::string Join(const std::vector<std::string>& parts) {
  std::string out;
  for (const std::string& part : parts) {
    if (!out.empty()) out += "、";
    out += part;
  }
  return out;
}

}  // namespace

core::Result<HeaderMatch> MatchHeader(const std::vector<std::vector<std::string>>& first_records,
                                      const std::vector<Profile>& profiles,
                                      std::string_view wanted) {
  const Profile* forced = nullptr;
  if (wanted != "auto" && !wanted.empty()) {
    for (const Profile& profile : profiles) {
      if (profile.name == wanted) forced = &profile;
    }
    if (forced == nullptr) {
      std::vector<std::string> names;
      for (const Profile& profile : profiles) names.push_back(profile.name);
      return core::Fail(core::Code::kInvalidArgument, "そのプロファイルはありません",
                        "no such profile", std::string(wanted) + " (" + Join(names) + ")");
    }
  }
  std::optional<HeaderMatch> best;
  std::optional<HeaderMatch> best_incomplete;
  const size_t rows = std::min<size_t>(first_records.size(), kMaxTitleRows + 1);
  for (size_t r = 0; r < rows; ++r) {
    for (const Profile& profile : profiles) {
      if (forced != nullptr && &profile != forced) continue;
      HeaderMatch match = Score(first_records[r], profile);
      match.header_index = static_cast<int>(r);
      if (match.matched == 0) continue;
      if (match.missing_required.empty()) {
        // More matched columns wins; on a tie the earlier row and profile.
        if (!best || match.matched > best->matched) best = std::move(match);
      } else if (!best_incomplete || match.matched > best_incomplete->matched) {
        best_incomplete = std::move(match);
      }
    }
  }
  if (best) return *best;
  if (best_incomplete) {
    return core::Fail(core::Code::kInvalidArgument,
                      "必須の列がありません: " + Join(best_incomplete->missing_required),
                      "required columns are missing: " + Join(best_incomplete->missing_required),
                      "profile " + best_incomplete->profile->name + ", line " +
                          std::to_string(best_incomplete->header_index + 1));
  }
  return core::Fail(core::Code::kInvalidArgument,
                    "見出し行が見つかりません（先頭" + std::to_string(kMaxTitleRows + 1) +
                        "行にどのプロファイルの列名もありません）",
                    "no header row found in the first " + std::to_string(kMaxTitleRows + 1) +
                        " rows for any profile");
}

}  // namespace ichigen::intake
