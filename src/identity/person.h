// PersonKeys: what identity matching compares about a person, made once from
// the raw fields of a row or a stored patient by the text layer, so that
// comparison never re-normalizes. RawPerson is the input: the values as
// written, except the address, of which only the municipality code and the
// rest after the municipality (as geo::AddressResolver gives them) are used.
// Thread-safety: plain values; MakeKeys is a pure function (the text layer's
// tables are loaded once, immutably).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/date.h"

namespace ichigen::identity {

struct RawPerson {
  std::string name;               // 氏名 as written
  std::string name_kana;          // フリガナ as written (any kana form)
  std::string birth_date;         // 生年月日 in any form text::ParseDate reads
  std::string sex;                // 男, 女, 男性, 女性, M, F, 1, 2 …
  std::string phone;              // 電話番号 as written
  std::string municipality_code;  // 全国地方公共団体コード (5 or 6 digits)
  std::string address_rest;       // address after the municipality
  std::string hersys_id;          // HER-SYS ID, empty when the row has none
};

struct PersonKeys {
  std::string name_key;        // exact characters after NormalizeText, no spaces
  std::string name_folded;     // name_key with variant kanji folded (髙→高)
  std::string family;          // exact family name, empty when not split
  std::string given;           // exact given name, empty when not split
  std::string family_folded;   // variant-folded family name
  std::string given_folded;    // variant-folded given name
  bool name_split = false;     // the writer separated family and given name
  std::string kana_key;        // katakana without spaces
  std::string kana_phonetic;   // phonetic key of the whole reading
  std::string kana_family;     // phonetic key of the family reading (if split)
  std::string kana_given;      // phonetic key of the given reading (if split)
  std::optional<core::Date> birth_date;
  std::string sex;             // "男", "女" or "" (unknown or other)
  std::string phone_key;       // digits only; empty if none
  // How many distinct stored patients use phone_key (set by the caller from
  // the store; 0 when unknown). A shared number (household, facility) is
  // weak evidence.
  int64_t phone_shared_count = 0;
  std::string municipality_code;  // 6 digits (check digit added), or ""
  std::string town;               // 町名 part of the address rest, folded
  std::string hersys_id;          // digits, or ""
};

// Builds the keys with the text layer (NormalizeName, NormalizeKana,
// ParseDate, NormalizePhone). A value that cannot be read (an impossible
// date, kana with kanji in it) becomes missing rather than an error: matching
// treats it as unknown, and intake reports the bad value on its own.
PersonKeys MakeKeys(const RawPerson& raw);

// "男" or "女" for the usual ways sex is written, "" otherwise.
std::string NormalizeSex(std::string_view raw);

// The town (町名) of an address rest: what precedes the 丁目 or the block
// number, with white space removed, variant kanji folded, ヶ/ヵ/ケ/が and
// の/之/ノ unified and a leading 大字/字 dropped. "本町三丁目4番5号",
// "本町３－４－５" and "本町 3-4-5" all give "本町".
std::string TownOf(std::string_view address_rest);

// A 5- or 6-digit municipality code as 6 digits (the check digit computed
// for 5 digits); "" when it is not one.
std::string MunicipalityCode6(std::string_view code);

}  // namespace ichigen::identity
