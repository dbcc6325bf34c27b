// Number formats of spreadsheet cells: which styles make a stored number a
// date, a time or a zero-padded code, and the text a cell shows for its
// number. Excel stores every date as a serial number; only the cell's number
// format (a built-in id, or a custom code in xl/styles.xml) says it is one.
// Thread-safety: pure functions.
#pragma once

#include <string>
#include <string_view>

namespace ichigen::io {

enum class NumberKind {
  kGeneral,    // shown as Excel's General format shows it
  kDate,       // has a date part: YYYY-MM-DD, plus " hh:mm:ss" if the time is not 0
  kTime,       // time of day only: hh:mm:ss
  kZeroPadded  // a code of zeros ("000000"): an integer padded to that width
};

struct CellFormat {
  NumberKind kind = NumberKind::kGeneral;
  int width = 0;  // digits, for kZeroPadded
};

// The built-in format ids 14–22, 27–36, 45–47, 50–58 (as in a Japanese
// Excel), or, for a custom id, its format code. A custom code is a date when
// it has y, d, e (era year), g (era name) or a month m outside quotes,
// brackets and escapes; m next to h or s is minutes. Elapsed-time codes
// ([h]:mm) stay numbers.
CellFormat ClassifyBuiltinFormat(int id);
CellFormat ClassifyFormatCode(std::string_view code);

// Up to 15 significant digits as Excel's General shows them; integers
// without ".0"; otherwise the shortest text that reads back the same.
std::string FormatGeneral(double value);

// `date1904`: the workbook counts serials from 1904-01-01 (old Mac Excel).
std::string FormatCellNumber(double value, const CellFormat& format, bool date1904);

}  // namespace ichigen::io
