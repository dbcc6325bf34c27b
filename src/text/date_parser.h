// One parser for every way a date is written in Japanese administrative
// files: 2022/8/1, 2022-08-01, 20220801, 2022年8月1日, 令和4年8月1日, 令和元年,
// R4.8.1, H31.4.30, S45.3.2, full-width digits and Excel serial numbers.
// Era boundaries are enforced (平成1年1月7日 is invalid; 昭和64年1月7日 is
// valid). Ambiguous or impossible values are errors with a reason, never
// guessed. Thread-safety: pure functions.
#pragma once

#include <string_view>

#include "core/date.h"
#include "core/result.h"

namespace ichigen::text {

enum class DateForm {
  kIso,          // 2022-08-01
  kSlash,        // 2022/8/1, 2022.8.1
  kCompact,      // 20220801
  kKanji,        // 2022年8月1日
  kWareki,       // 令和4年8月1日, 令和元年8月1日
  kWarekiShort,  // R4.8.1, H31/4/30, S45-3-2
  kExcelSerial,  // 44774
};

std::string_view DateFormName(DateForm form);

struct ParsedDate {
  core::Date date;
  DateForm form;
};

struct DateOptions {
  bool allow_excel_serial = true;  // a bare 5-digit number is an Excel serial
};

// kInvalidArgument with a Japanese message and English message_en when the
// text is not a date, is impossible (2022-02-30, 平成1年1月7日) or ambiguous.
core::Result<ParsedDate> ParseDate(std::string_view raw, DateOptions options = {});

}  // namespace ichigen::text
