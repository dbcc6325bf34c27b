// Registry: the 47 prefectures and every municipality and designated-city
// ward with its 6-digit 全国地方公共団体コード (check digit validated), kana,
// parent city for wards and health center (保健所), loaded from the embedded
// reference data (data/ref/, see data/ref/SOURCES.md) with the stale
// Hamamatsu wards fixed (22138 中央区, 22139 浜名区, 22140 天竜区 from
// 2024-01-01). Retired codes keep resolving through their successor.
// Thread-safety: immutable after Load; all const methods are safe.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/date.h"
#include "core/result.h"

namespace ichigen::geo {

struct Prefecture {
  int code = 0;             // 1..47 (JIS X 0401)
  std::string code6;        // e.g. "130001"
  std::string name;         // 東京都
  std::string short_name;   // 東京
  std::string kana;
  std::string name_en;      // Tokyo
};

struct Municipality {
  std::string code6;        // with check digit, e.g. "131016"
  std::string code5;        // e.g. "13101"
  int prefecture_code = 0;
  std::string prefecture_name;
  std::string name;         // 千代田区; for wards the ward alone: 中央区
  std::string full_name;    // for wards: 札幌市中央区; else = name
  std::string kana;         // hiragana; for wards the ward alone: ちゅうおうく
  std::string full_kana;    // for wards: さっぽろしちゅうおうく; else = kana
  std::string parent_code6; // the designated city of a ward, else empty
  bool is_ward = false;     // a ward of a designated city
  bool is_designated_city = false;
  std::string health_center;
  std::optional<core::Date> valid_from;  // code in force from (if known)
  std::optional<core::Date> valid_to;    // code retired after (if retired)
  std::string successor_code6;           // where a retired code went
  // When the area of a retired code was split, the other successors
  // (浜松市北区 → 浜名区, and 三方原 → 中央区): a bare old code is then
  // a guess, and only an address decides.
  std::vector<std::string> other_successor_code6s;

  bool retired() const { return valid_to.has_value(); }
};

// 5-digit code → 6-digit code with its check digit (13101 → 131016).
std::string WithCheckDigit(std::string_view code5);
// True when `code6` is 6 ASCII digits whose last is the right check digit.
bool IsValidCode6(std::string_view code6);

class Registry {
 public:
  // Loads from the data files (embedded, or overridden by ICHIGEN_DATA_DIR).
  static core::Result<std::unique_ptr<Registry>> Load();

  // Accepts 5 or 6 digits; a 6-digit code must have a valid check digit.
  const Municipality* FindByCode(std::string_view code) const;
  const Prefecture* FindPrefecture(int code) const;
  const Prefecture* FindPrefectureByName(std::string_view name) const;  // 東京都 or 東京
  const std::vector<Prefecture>& prefectures() const;
  const std::vector<Municipality>& municipalities() const;
  // Municipalities (and wards) of one prefecture, in code order.
  std::vector<const Municipality*> InPrefecture(int prefecture_code) const;
  // The designated city of a ward, or the municipality itself.
  const Municipality& RollUp(const Municipality& municipality) const;
  // A retired municipality's current primary successor (following chains),
  // or the municipality itself when it is current.
  const Municipality& Current(const Municipality& municipality) const;
  // Wards of a designated city, in code order (empty for other cities).
  std::vector<const Municipality*> WardsOf(const Municipality& city) const;

  ~Registry();

 private:
  Registry();
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace ichigen::geo
