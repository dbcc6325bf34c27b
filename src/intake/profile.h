// Profile: how the columns of one kind of input file (HER-SYS export,
// update sheets, …) map to canonical fields. Profiles are data
// (data/profiles/*.json, extensible by an operator through ICHIGEN_DATA_DIR
// without rebuilding); headers are matched after NFKC and white-space
// folding (text::FoldHeader).
//
// HeaderMatch finds the header row (below up to kMaxTitleRows title rows)
// and the profile it fits, and maps each column to a field or keeps it as an
// unknown column. Thread-safety: immutable values; functions are pure.
#pragma once

#include <string>
#include <unordered_map>
#include <vector>

#include "core/result.h"

namespace ichigen::intake {

inline constexpr int kMaxTitleRows = 10;

struct ProfileField {
  std::string field;                  // canonical name, e.g. "hersys_id"
  std::vector<std::string> synonyms;  // header texts as people write them
  bool required = false;
};

struct Profile {
  std::string name;       // "hersys"
  std::string title_ja;
  std::string title_en;
  std::string source;     // default source name for batches of this profile
  std::vector<ProfileField> fields;
  // Groups of fields of which at least one must be present (e.g. an update
  // sheet needs 区分 or a dated column such as 入院日).
  std::vector<std::vector<std::string>> require_one_of;
  // Folded synonym → index into fields.
  std::unordered_map<std::string, int> by_folded_header;

  int FieldIndex(std::string_view field) const;  // -1 if the profile has none
};

core::Result<Profile> ParseProfile(std::string_view json_text, std::string_view origin);

// Every profile under data/profiles/ (embedded and overriding files).
core::Result<std::vector<Profile>> LoadProfiles();

struct HeaderMatch {
  const Profile* profile = nullptr;
  int header_index = 0;                   // index of the header among the records seen
  std::vector<int> column_field;          // column → field index, or -1 (unknown)
  std::vector<std::string> headers;       // the header texts as written
  std::vector<std::string> missing_required;
  int matched = 0;
};

// Looks at the first records (title rows, then the header) and picks the
// header row and profile. `wanted` is a profile name or "auto". A forced
// profile whose required headers are missing is an error naming them.
core::Result<HeaderMatch> MatchHeader(const std::vector<std::vector<std::string>>& first_records,
                                      const std::vector<Profile>& profiles,
                                      std::string_view wanted);

}  // namespace ichigen::intake
