#include "distribution/fields.h"

#include <algorithm>
#include <array>
#include <string>

namespace ichigen::distribution {
namespace {

struct FieldInfo {
  Field field;
  std::string_view name;
  std::string_view label;
  std::span<const Column> columns;
};

struct ColumnInfo {
  Column column;
  std::string_view key;
  std::string_view label;
  FieldType type;
};

constexpr Column kNameColumns[] = {Column::kName};
constexpr Column kNameKanaColumns[] = {Column::kNameKana};
constexpr Column kSexColumns[] = {Column::kSex};
constexpr Column kBirthDateColumns[] = {Column::kBirthDate};
constexpr Column kAgeColumns[] = {Column::kAge};
constexpr Column kPostalCodeColumns[] = {Column::kPostalCode};
constexpr Column kAddressColumns[] = {Column::kAddress};
constexpr Column kPhoneColumns[] = {Column::kPhone};
constexpr Column kCarePeriodColumns[] = {Column::kCareStart, Column::kCareEnd};
constexpr Column kCareEndColumns[] = {Column::kCareEnd};
constexpr Column kCareStatusColumns[] = {Column::kCareStatus};
constexpr Column kHealthCenterColumns[] = {Column::kHealthCenter};
constexpr Column kFindingsColumns[] = {Column::kHealthCenterFindings};
constexpr Column kNotesColumns[] = {Column::kNotes};

constexpr std::array<FieldInfo, kFieldCount> kFields = {{
    {Field::kName, "name", "氏名", kNameColumns},
    {Field::kNameKana, "name_kana", "フリガナ", kNameKanaColumns},
    {Field::kSex, "sex", "性別", kSexColumns},
    {Field::kBirthDate, "birth_date", "生年月日", kBirthDateColumns},
    {Field::kAge, "age", "年齢", kAgeColumns},
    {Field::kPostalCode, "postal_code", "郵便番号", kPostalCodeColumns},
    {Field::kAddress, "address", "住所", kAddressColumns},
    {Field::kPhone, "phone", "連絡先", kPhoneColumns},
    {Field::kCarePeriod, "care_period", "療養期間", kCarePeriodColumns},
    {Field::kCareEnd, "care_end", "療養終了予定日", kCareEndColumns},
    {Field::kCareStatus, "care_status", "療養状況", kCareStatusColumns},
    {Field::kHealthCenter, "health_center", "管轄保健所", kHealthCenterColumns},
    {Field::kHealthCenterFindings, "health_center_findings", "保健所所見", kFindingsColumns},
    {Field::kNotes, "notes", "備考", kNotesColumns},
}};

constexpr std::array<ColumnInfo, kColumnCount> kColumns = {{
    {Column::kRef, "ref", "整理番号", FieldType::kText},
    {Column::kName, "name", "氏名", FieldType::kText},
    {Column::kNameKana, "name_kana", "フリガナ", FieldType::kText},
    {Column::kSex, "sex", "性別", FieldType::kText},
    {Column::kBirthDate, "birth_date", "生年月日", FieldType::kDate},
    {Column::kAge, "age", "年齢", FieldType::kInteger},
    {Column::kPostalCode, "postal_code", "郵便番号", FieldType::kText},
    {Column::kAddress, "address", "住所", FieldType::kText},
    {Column::kPhone, "phone", "電話番号", FieldType::kText},
    {Column::kCareStart, "care_start", "療養開始日", FieldType::kDate},
    {Column::kCareEnd, "care_end", "療養終了予定日", FieldType::kDate},
    {Column::kCareStatus, "care_status", "療養状況", FieldType::kText},
    {Column::kHealthCenter, "health_center", "管轄保健所", FieldType::kText},
    {Column::kHealthCenterFindings, "health_center_findings", "保健所所見", FieldType::kText},
    {Column::kNotes, "notes", "備考", FieldType::kText},
}};

// The tables are indexed by the enums; a reordering that breaks this fails
// the build instead of mislabelling a column.
constexpr bool TablesInEnumOrder() {
  for (size_t i = 0; i < kFields.size(); ++i) {
    if (static_cast<size_t>(kFields[i].field) != i) return false;
  }
  for (size_t i = 0; i < kColumns.size(); ++i) {
    if (static_cast<size_t>(kColumns[i].column) != i) return false;
  }
  return true;
}
static_assert(TablesInEnumOrder());

const FieldInfo& Info(Field field) { return kFields[static_cast<size_t>(field)]; }
const ColumnInfo& Info(Column column) { return kColumns[static_cast<size_t>(column)]; }

// Trims ASCII whitespace and U+3000 (ideographic space) from both ends.
std::string_view Trim(std::string_view text) {
  constexpr std::string_view kIdeographicSpace = "\xE3\x80\x80";
  bool changed = true;
  while (changed && !text.empty()) {
    changed = false;
    if (text.front() == ' ' || text.front() == '\t') {
      text.remove_prefix(1);
      changed = true;
    } else if (text.starts_with(kIdeographicSpace)) {
      text.remove_prefix(kIdeographicSpace.size());
      changed = true;
    }
    if (!text.empty() && (text.back() == ' ' || text.back() == '\t')) {
      text.remove_suffix(1);
      changed = true;
    } else if (text.ends_with(kIdeographicSpace)) {
      text.remove_suffix(kIdeographicSpace.size());
      changed = true;
    }
  }
  return text;
}

core::Error UnknownFieldError(std::string_view names) {
  std::string bad(names);
  std::string hint_ja;
  std::string hint_en;
  if (bad.find("hersys") != std::string::npos || bad.find("HER-SYS") != std::string::npos) {
    hint_ja = " HER-SYS IDは提供しません。各行の整理番号 (ref) で患者を照会できます。";
    hint_en = " The HER-SYS ID is not shared; every row's ref identifies the patient.";
  }
  return core::Error{core::Code::kInvalidArgument,
                     "不明な項目名です: " + bad + "。使える項目: " + ValidFieldNames() + "。" +
                         hint_ja,
                     "unknown field name: " + bad + "; valid names: " + ValidFieldNames() +
                         "." + hint_en,
                     "fields"};
}

}  // namespace

std::string_view FieldName(Field field) { return Info(field).name; }
std::string_view FieldLabelJa(Field field) { return Info(field).label; }
std::span<const Column> FieldColumns(Field field) { return Info(field).columns; }
std::string_view ColumnKey(Column column) { return Info(column).key; }
std::string_view ColumnLabelJa(Column column) { return Info(column).label; }
FieldType ColumnType(Column column) { return Info(column).type; }

std::string_view FieldTypeName(FieldType type) {
  switch (type) {
    case FieldType::kText:
      return "text";
    case FieldType::kDate:
      return "date";
    case FieldType::kInteger:
      return "integer";
  }
  return "text";
}

core::Result<Field> ParseField(std::string_view text) {
  const std::string_view name = Trim(text);
  for (const FieldInfo& info : kFields) {
    if (name == info.name || name == info.label) return info.field;
  }
  return std::unexpected(UnknownFieldError(name));
}

core::Result<std::vector<Field>> ParseFieldList(std::string_view text) {
  std::array<bool, kFieldCount> chosen{};
  std::string unknown;
  size_t start = 0;
  while (start <= text.size()) {
    // Separators: ',' or the full-width 、 (E3 80 81) and ， (EF BC 8C).
    size_t end = start;
    size_t separator_size = 0;
    while (end < text.size()) {
      if (text[end] == ',') {
        separator_size = 1;
        break;
      }
      const std::string_view rest = text.substr(end);
      if (rest.starts_with("\xE3\x80\x81") || rest.starts_with("\xEF\xBC\x8C")) {
        separator_size = 3;
        break;
      }
      ++end;
    }
    const std::string_view item = Trim(text.substr(start, end - start));
    if (!item.empty() && item != "ref" && item != "整理番号") {
      const core::Result<Field> field = ParseField(item);
      if (field.has_value()) {
        chosen[static_cast<size_t>(*field)] = true;
      } else {
        if (!unknown.empty()) unknown += ", ";
        unknown += item;
      }
    }
    if (separator_size == 0) break;
    start = end + separator_size;
  }
  if (!unknown.empty()) return std::unexpected(UnknownFieldError(unknown));
  std::vector<Field> fields;
  for (const FieldInfo& info : kFields) {
    if (chosen[static_cast<size_t>(info.field)]) fields.push_back(info.field);
  }
  if (fields.empty()) {
    return core::Fail(core::Code::kInvalidArgument,
                      "提供する項目が指定されていません。使える項目: " + ValidFieldNames(),
                      "no fields given; valid names: " + ValidFieldNames(), "fields");
  }
  return fields;
}

std::string FormatFieldList(std::span<const Field> fields) {
  std::string out;
  for (Field field : fields) {
    if (!out.empty()) out += ',';
    out += FieldName(field);
  }
  return out;
}

std::vector<Column> ColumnsFor(std::span<const Field> fields) {
  std::array<bool, kColumnCount> chosen{};
  chosen[static_cast<size_t>(Column::kRef)] = true;
  for (Field field : fields) {
    for (Column column : FieldColumns(field)) chosen[static_cast<size_t>(column)] = true;
  }
  std::vector<Column> columns;
  for (const ColumnInfo& info : kColumns) {
    if (chosen[static_cast<size_t>(info.column)]) columns.push_back(info.column);
  }
  return columns;
}

std::string ValidFieldNames() {
  std::string out;
  for (const FieldInfo& info : kFields) {
    if (!out.empty()) out += ", ";
    out += info.name;
  }
  return out;
}

}  // namespace ichigen::distribution
