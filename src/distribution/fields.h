// Shareable fields: the catalogue of what a municipal package may carry.
//
// An agreement (覚書) names Fields by their canonical names (name, address,
// care_period …, as product.md and the CLI spell them). A Field expands to
// one or more Columns, the unit a package actually holds: care_period is the
// pair 療養開始日/療養終了予定日, care_end only the latter, so an agreement
// naming both still gets each column once. Columns come out in catalogue
// order whatever order the agreement lists them in, so the column layout of
// a municipality's files depends only on its set of fields.
//
// `ref` (整理番号) is not a field: every package row carries it, and it is
// the only thing an ended row carries. The HER-SYS ID is deliberately not in
// the catalogue: ref is stable per municipality and maps back to the patient
// through the prefecture's stored snapshot, so the national identifier never
// needs to leave the prefecture (an agreement naming hersys_id gets an error
// that says so).
//
// Thread-safety: immutable tables and pure functions; safe from any thread.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace ichigen::distribution {

enum class FieldType : uint8_t {
  kText,
  kDate,     // a core::Date; a real date cell in XLSX, yyyy/mm/dd in CSV
  kInteger,  // a number cell in XLSX (年齢)
};

// What an agreement names. Order is the catalogue order.
enum class Field : uint8_t {
  kName,                  // 氏名
  kNameKana,              // フリガナ
  kSex,                   // 性別
  kBirthDate,             // 生年月日
  kAge,                   // 年齢
  kPostalCode,            // 郵便番号
  kAddress,               // 住所
  kPhone,                 // 連絡先 (電話番号)
  kCarePeriod,            // 療養期間 (開始日と終了予定日)
  kCareEnd,               // 療養終了予定日
  kCareStatus,            // 療養状況
  kHealthCenter,          // 管轄保健所
  kHealthCenterFindings,  // 保健所所見
  kNotes,                 // 備考
};
inline constexpr int kFieldCount = 14;

// What a package holds, in output order. kRef is always present.
enum class Column : uint8_t {
  kRef,                   // 整理番号
  kName,                  // 氏名
  kNameKana,              // フリガナ
  kSex,                   // 性別
  kBirthDate,             // 生年月日
  kAge,                   // 年齢
  kPostalCode,            // 郵便番号
  kAddress,               // 住所
  kPhone,                 // 電話番号
  kCareStart,             // 療養開始日
  kCareEnd,               // 療養終了予定日
  kCareStatus,            // 療養状況
  kHealthCenter,          // 管轄保健所
  kHealthCenterFindings,  // 保健所所見
  kNotes,                 // 備考
};
inline constexpr int kColumnCount = 15;

std::string_view FieldName(Field field);     // canonical: "care_period"
std::string_view FieldLabelJa(Field field);  // "療養期間"
// The columns a field expands to, in catalogue order.
std::span<const Column> FieldColumns(Field field);

std::string_view ColumnKey(Column column);      // "care_start"; JSON keys
std::string_view ColumnLabelJa(Column column);  // "療養開始日"; CSV/XLSX headers
FieldType ColumnType(Column column);
std::string_view FieldTypeName(FieldType type);  // "text", "date", "integer"

// "name" or its Japanese label "氏名" (after trimming ASCII and ideographic
// spaces). Unknown → kInvalidArgument listing every valid name.
core::Result<Field> ParseField(std::string_view text);

// "name,name_kana,address,phone,care_period" (also 、 or ， as separators):
// the fields, deduplicated, in catalogue order. "ref" may be listed and is
// ignored (it is always present). Empty list or any unknown name →
// kInvalidArgument naming the bad entries and the valid names.
core::Result<std::vector<Field>> ParseFieldList(std::string_view text);

// "name,address,…": canonical names joined by commas, for the CLI and the
// manifest.
std::string FormatFieldList(std::span<const Field> fields);

// The columns of a package for these fields: kRef first, then each column
// once, in catalogue order.
std::vector<Column> ColumnsFor(std::span<const Field> fields);

// "name, name_kana, …": every canonical field name, for error messages.
std::string ValidFieldNames();

}  // namespace ichigen::distribution
