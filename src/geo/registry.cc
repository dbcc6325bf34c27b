#include "geo/registry.h"

#include <algorithm>
#include <map>
#include <unordered_map>

#include "core/resources.h"
#include "geo/table_reader.h"

namespace ichigen::geo {

namespace {

constexpr std::string_view kLocalGovFile = "ref/code4fukui_localgovjp-utf8.csv";
constexpr std::string_view kPrefectureFile = "ref/code4fukui_prefjp-utf8.csv";
constexpr std::string_view kCrosswalkFile = "ref/mhlw_hokenjo_muni_crosswalk.csv";
constexpr std::string_view kCodeChangesFile = "geo/code_changes.csv";

bool AllDigits(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// The column index of `name` in a header row, or -1.
int Column(const TableRow& header, std::string_view name) {
  for (size_t i = 0; i < header.fields.size(); ++i) {
    if (header.fields[i] == name) return static_cast<int>(i);
  }
  return -1;
}

core::Error BadFile(std::string_view file, int line, std::string message_ja,
                    std::string message_en) {
  return core::Error{core::Code::kDataLoss, std::move(message_ja), std::move(message_en),
                     std::string(file) + ":" + std::to_string(line)};
}

// Looks up columns by name so a re-ordered upstream file still loads.
core::Result<std::vector<int>> Columns(const std::vector<TableRow>& rows,
                                       std::string_view file,
                                       std::initializer_list<std::string_view> names) {
  if (rows.empty()) {
    return core::Fail(core::Code::kDataLoss, "参照データが空です", "reference file is empty",
                      std::string(file));
  }
  std::vector<int> columns;
  for (std::string_view name : names) {
    const int c = Column(rows.front(), name);
    if (c < 0) {
      return std::unexpected(BadFile(file, rows.front().line, "参照データに列がありません",
                                     "reference file lacks column " + std::string(name)));
    }
    columns.push_back(c);
  }
  return columns;
}

std::string_view Field(const TableRow& row, int column) {
  if (column < 0 || static_cast<size_t>(column) >= row.fields.size()) return {};
  return row.fields[static_cast<size_t>(column)];
}

std::string Pad(std::string_view digits, size_t width) {
  std::string out;
  if (digits.size() < width) out.assign(width - digits.size(), '0');
  out.append(digits);
  return out;
}

// Strips the ASCII and ideographic spaces the kana column carries between
// city and ward.
std::string WithoutSpaces(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == ' ') continue;
    if (s.substr(i).starts_with("\xE3\x80\x80")) {  // U+3000
      i += 2;
      continue;
    }
    out.push_back(s[i]);
  }
  return out;
}

}  // namespace

std::string WithCheckDigit(std::string_view code5) {
  if (code5.size() != 5 || !AllDigits(code5)) return {};
  int sum = 0;
  for (int i = 0; i < 5; ++i) sum += (6 - i) * (code5[static_cast<size_t>(i)] - '0');
  const int check = (11 - sum % 11) % 10;
  std::string out(code5);
  out.push_back(static_cast<char>('0' + check));
  return out;
}

bool IsValidCode6(std::string_view code6) {
  return code6.size() == 6 && AllDigits(code6) && WithCheckDigit(code6.substr(0, 5)) == code6;
}

struct Registry::Impl {
  std::vector<Prefecture> prefectures;
  std::vector<Municipality> municipalities;
  std::unordered_map<std::string, size_t> by_code5;
  std::unordered_map<std::string, size_t> prefecture_by_name;

  core::Status LoadPrefectures();
  core::Status LoadMunicipalities();
  core::Status LoadHealthCenters();
  core::Status ApplyCodeChanges();
  void Index();
};

core::Status Registry::Impl::LoadPrefectures() {
  ASSIGN_OR_RETURN(const std::string text, core::LoadDataFile(kPrefectureFile));
  const std::vector<TableRow> rows = ReadTable(text, ',', false);
  ASSIGN_OR_RETURN(const std::vector<int> col,
                   Columns(rows, kPrefectureFile,
                           {"pid", "pref", "prefkana", "prefshort", "pref_en", "lgcode"}));
  for (size_t i = 1; i < rows.size(); ++i) {
    const TableRow& row = rows[i];
    const std::string_view pid = Field(row, col[0]);
    // The file drops the leading zero of the 5-digit part (10006 for 北海道).
    const std::string code6 = Pad(Field(row, col[5]), 6);
    if (pid.empty() || pid.size() > 2 || !AllDigits(pid) || !IsValidCode6(code6)) {
      return std::unexpected(BadFile(kPrefectureFile, row.line, "都道府県コードが不正です",
                                     "bad prefecture code"));
    }
    Prefecture p;
    p.code = std::stoi(std::string(pid));
    p.code6 = code6;
    p.name = std::string(Field(row, col[1]));
    p.kana = std::string(Field(row, col[2]));
    p.short_name = std::string(Field(row, col[3]));
    p.name_en = std::string(Field(row, col[4]));
    if (p.code < 1 || p.code > 47 || code6.substr(0, 2) != Pad(pid, 2)) {
      return std::unexpected(BadFile(kPrefectureFile, row.line, "都道府県コードが不正です",
                                     "prefecture code out of range"));
    }
    prefectures.push_back(std::move(p));
  }
  std::sort(prefectures.begin(), prefectures.end(),
            [](const Prefecture& a, const Prefecture& b) { return a.code < b.code; });
  if (prefectures.size() != 47) {
    return core::Fail(core::Code::kDataLoss, "都道府県が47件ではありません",
                      "expected 47 prefectures", std::string(kPrefectureFile));
  }
  for (size_t i = 0; i < prefectures.size(); ++i) {
    if (prefectures[i].code != static_cast<int>(i) + 1) {
      return core::Fail(core::Code::kDataLoss, "都道府県コードが重複しています",
                        "duplicate prefecture code", std::string(kPrefectureFile));
    }
  }
  return core::Ok();
}

core::Status Registry::Impl::LoadMunicipalities() {
  ASSIGN_OR_RETURN(const std::string text, core::LoadDataFile(kLocalGovFile));
  const std::vector<TableRow> rows = ReadTable(text, ',', false);
  ASSIGN_OR_RETURN(const std::vector<int> col,
                   Columns(rows, kLocalGovFile, {"pid", "pref", "city", "citykana", "lgcode"}));
  // City name → code6 per prefecture, to find a ward's parent.
  std::map<std::pair<int, std::string>, std::string> city_code;
  for (size_t i = 1; i < rows.size(); ++i) {
    const TableRow& row = rows[i];
    const std::string code6(Field(row, col[4]));
    if (!IsValidCode6(code6)) {
      return std::unexpected(BadFile(kLocalGovFile, row.line,
                                     "市区町村コードの検査数字が合いません",
                                     "municipality code fails its check digit: " + code6));
    }
    const std::string_view pid = Field(row, col[0]);
    if (pid.empty() || pid.size() > 2 || !AllDigits(pid) || Pad(pid, 2) != code6.substr(0, 2)) {
      return std::unexpected(BadFile(kLocalGovFile, row.line, "都道府県とコードが合いません",
                                     "prefecture does not match the code"));
    }
    Municipality m;
    m.code6 = code6;
    m.code5 = code6.substr(0, 5);
    m.prefecture_code = std::stoi(std::string(pid));
    m.prefecture_name = std::string(Field(row, col[1]));
    const std::string_view city = Field(row, col[2]);
    const std::string_view kana = Field(row, col[3]);
    const size_t space = city.find(' ');
    if (space != std::string_view::npos) {
      // "札幌市 中央区": a designated-city ward.
      const std::string parent(city.substr(0, space));
      const auto it = city_code.find({m.prefecture_code, parent});
      if (it == city_code.end()) {
        return std::unexpected(BadFile(kLocalGovFile, row.line, "区の親市が見つかりません",
                                       "ward listed before its city: " + std::string(city)));
      }
      m.is_ward = true;
      m.parent_code6 = it->second;
      m.name = std::string(city.substr(space + 1));
      m.full_name = parent + m.name;
      const size_t kana_space = kana.find(' ');
      m.kana = kana_space == std::string_view::npos ? WithoutSpaces(kana)
                                                   : std::string(kana.substr(kana_space + 1));
      m.full_kana = WithoutSpaces(kana);
    } else {
      m.name = std::string(city);
      m.full_name = m.name;
      m.kana = WithoutSpaces(kana);
      m.full_kana = m.kana;
      city_code[{m.prefecture_code, m.name}] = code6;
    }
    if (m.name.empty()) {
      return std::unexpected(BadFile(kLocalGovFile, row.line, "市区町村名が空です",
                                     "empty municipality name"));
    }
    if (!by_code5.emplace(m.code5, municipalities.size()).second) {
      return std::unexpected(BadFile(kLocalGovFile, row.line, "市区町村コードが重複しています",
                                     "duplicate municipality code " + code6));
    }
    municipalities.push_back(std::move(m));
  }
  for (const Municipality& m : municipalities) {
    if (m.is_ward) municipalities[by_code5.at(m.parent_code6.substr(0, 5))].is_designated_city = true;
  }
  return core::Ok();
}

core::Status Registry::Impl::ApplyCodeChanges() {
  ASSIGN_OR_RETURN(const std::string text, core::LoadDataFile(kCodeChangesFile));
  const std::vector<TableRow> rows = ReadTable(text, ',', true);
  ASSIGN_OR_RETURN(const std::vector<int> col,
                   Columns(rows, kCodeChangesFile,
                           {"action", "code5", "name", "kana", "parent_code5", "valid_from",
                            "valid_to", "successors"}));
  auto date = [&](const TableRow& row, int c) -> core::Result<std::optional<core::Date>> {
    const std::string_view v = Field(row, c);
    if (v.empty()) return std::optional<core::Date>();
    const std::optional<core::Date> d = core::Date::ParseIso(v);
    if (!d) {
      return std::unexpected(BadFile(kCodeChangesFile, row.line, "日付が不正です",
                                     "bad date " + std::string(v)));
    }
    return d;
  };
  for (size_t i = 1; i < rows.size(); ++i) {
    const TableRow& row = rows[i];
    const std::string_view action = Field(row, col[0]);
    const std::string code6 = WithCheckDigit(Field(row, col[1]));
    if (code6.empty()) {
      return std::unexpected(BadFile(kCodeChangesFile, row.line, "コードが不正です",
                                     "bad code"));
    }
    ASSIGN_OR_RETURN(const std::optional<core::Date> from, date(row, col[5]));
    ASSIGN_OR_RETURN(const std::optional<core::Date> to, date(row, col[6]));
    if (action == "add") {
      if (by_code5.contains(code6.substr(0, 5))) continue;  // the reference caught up
      Municipality m;
      m.code6 = code6;
      m.code5 = code6.substr(0, 5);
      m.prefecture_code = std::stoi(code6.substr(0, 2));
      m.prefecture_name = prefectures[static_cast<size_t>(m.prefecture_code - 1)].name;
      m.name = std::string(Field(row, col[2]));
      m.kana = std::string(Field(row, col[3]));
      m.full_name = m.name;
      m.full_kana = m.kana;
      const std::string_view parent5 = Field(row, col[4]);
      if (!parent5.empty()) {
        const auto it = by_code5.find(std::string(parent5));
        if (it == by_code5.end()) {
          return std::unexpected(BadFile(kCodeChangesFile, row.line, "親市が見つかりません",
                                         "unknown parent city"));
        }
        Municipality& parent = municipalities[it->second];
        parent.is_designated_city = true;
        m.is_ward = true;
        m.parent_code6 = parent.code6;
        m.full_name = parent.name + m.name;
        m.full_kana = parent.kana + m.kana;
      }
      if (m.name.empty()) {
        return std::unexpected(BadFile(kCodeChangesFile, row.line, "名称が空です", "empty name"));
      }
      m.valid_from = from;
      m.valid_to = to;
      by_code5.emplace(m.code5, municipalities.size());
      municipalities.push_back(std::move(m));
    } else if (action == "retire") {
      const auto it = by_code5.find(code6.substr(0, 5));
      if (it == by_code5.end() || !to) {
        return std::unexpected(BadFile(kCodeChangesFile, row.line, "廃止するコードがありません",
                                       "retired code unknown or without valid_to"));
      }
      Municipality& m = municipalities[it->second];
      m.valid_to = to;
      if (from) m.valid_from = from;
      std::string_view successors = Field(row, col[7]);
      while (!successors.empty()) {
        const size_t bar = successors.find('|');
        const std::string s6 = WithCheckDigit(successors.substr(0, bar));
        if (s6.empty() || !by_code5.contains(s6.substr(0, 5))) {
          return std::unexpected(BadFile(kCodeChangesFile, row.line, "後継コードが不正です",
                                         "bad successor code"));
        }
        if (m.successor_code6.empty()) {
          m.successor_code6 = s6;
        } else {
          m.other_successor_code6s.push_back(s6);
        }
        successors.remove_prefix(bar == std::string_view::npos ? successors.size() : bar + 1);
      }
    } else {
      return std::unexpected(BadFile(kCodeChangesFile, row.line, "不明な action です",
                                     "unknown action " + std::string(action)));
    }
  }
  std::sort(municipalities.begin(), municipalities.end(),
            [](const Municipality& a, const Municipality& b) { return a.code6 < b.code6; });
  by_code5.clear();
  for (size_t i = 0; i < municipalities.size(); ++i) by_code5[municipalities[i].code5] = i;
  return core::Ok();
}

core::Status Registry::Impl::LoadHealthCenters() {
  ASSIGN_OR_RETURN(const std::string text, core::LoadDataFile(kCrosswalkFile));
  const std::vector<TableRow> rows = ReadTable(text, ',', false);
  ASSIGN_OR_RETURN(const std::vector<int> col,
                   Columns(rows, kCrosswalkFile, {"muni_code", "hokenjo"}));
  for (size_t i = 1; i < rows.size(); ++i) {
    const TableRow& row = rows[i];
    const auto it = by_code5.find(std::string(Field(row, col[0])));
    if (it == by_code5.end()) continue;  // a code the registry does not know
    // 沖縄 47208 has 「南　部」 with an ideographic space (a source artefact).
    municipalities[it->second].health_center = WithoutSpaces(Field(row, col[1]));
  }
  // Designated cities are listed by ward only: the city takes its current
  // wards' health center when they agree.
  for (Municipality& city : municipalities) {
    if (!city.is_designated_city || !city.health_center.empty()) continue;
    std::string common;
    bool agree = true;
    for (const Municipality& ward : municipalities) {
      if (ward.parent_code6 != city.code6 || ward.retired() || ward.health_center.empty()) continue;
      if (common.empty()) {
        common = ward.health_center;
      } else if (common != ward.health_center) {
        agree = false;
      }
    }
    if (agree) city.health_center = common;
  }
  // A retired ward keeps the health center of its successor when it had none.
  for (Municipality& m : municipalities) {
    if (m.health_center.empty() && !m.successor_code6.empty()) {
      m.health_center = municipalities[by_code5.at(m.successor_code6.substr(0, 5))].health_center;
    }
  }
  return core::Ok();
}

Registry::Registry() : impl_(std::make_unique<Impl>()) {}
Registry::~Registry() = default;

core::Result<std::unique_ptr<Registry>> Registry::Load() {
  std::unique_ptr<Registry> registry(new Registry());
  Impl& impl = *registry->impl_;
  RETURN_IF_ERROR(impl.LoadPrefectures());
  RETURN_IF_ERROR(impl.LoadMunicipalities());
  RETURN_IF_ERROR(impl.ApplyCodeChanges());
  RETURN_IF_ERROR(impl.LoadHealthCenters());
  for (const Prefecture& p : impl.prefectures) {
    const size_t index = static_cast<size_t>(p.code - 1);
    impl.prefecture_by_name.emplace(p.name, index);
    impl.prefecture_by_name.emplace(p.short_name, index);
  }
  return registry;
}

const Municipality* Registry::FindByCode(std::string_view code) const {
  if (code.size() == 6) {
    if (!IsValidCode6(code)) return nullptr;
    code = code.substr(0, 5);
  }
  if (code.size() != 5 || !AllDigits(code)) return nullptr;
  const auto it = impl_->by_code5.find(std::string(code));
  return it == impl_->by_code5.end() ? nullptr : &impl_->municipalities[it->second];
}

const Prefecture* Registry::FindPrefecture(int code) const {
  if (code < 1 || code > static_cast<int>(impl_->prefectures.size())) return nullptr;
  return &impl_->prefectures[static_cast<size_t>(code - 1)];
}

const Prefecture* Registry::FindPrefectureByName(std::string_view name) const {
  const auto it = impl_->prefecture_by_name.find(std::string(name));
  return it == impl_->prefecture_by_name.end() ? nullptr : &impl_->prefectures[it->second];
}

const std::vector<Prefecture>& Registry::prefectures() const { return impl_->prefectures; }

const std::vector<Municipality>& Registry::municipalities() const {
  return impl_->municipalities;
}

std::vector<const Municipality*> Registry::InPrefecture(int prefecture_code) const {
  std::vector<const Municipality*> out;
  for (const Municipality& m : impl_->municipalities) {
    if (m.prefecture_code == prefecture_code) out.push_back(&m);
  }
  return out;
}

const Municipality& Registry::RollUp(const Municipality& municipality) const {
  if (!municipality.is_ward) return municipality;
  const Municipality* parent = FindByCode(municipality.parent_code6);
  return parent == nullptr ? municipality : *parent;
}

const Municipality& Registry::Current(const Municipality& municipality) const {
  const Municipality* m = &municipality;
  // Bounded: a cycle in the change table must not hang.
  for (int hop = 0; hop < 8 && m->retired() && !m->successor_code6.empty(); ++hop) {
    const Municipality* next = FindByCode(m->successor_code6);
    if (next == nullptr) break;
    m = next;
  }
  return *m;
}

std::vector<const Municipality*> Registry::WardsOf(const Municipality& city) const {
  std::vector<const Municipality*> out;
  if (!city.is_designated_city) return out;
  for (const Municipality& m : impl_->municipalities) {
    if (m.parent_code6 == city.code6) out.push_back(&m);
  }
  return out;
}

}  // namespace ichigen::geo
