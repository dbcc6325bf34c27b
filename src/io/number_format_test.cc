#include "io/number_format.h"

#include <gtest/gtest.h>

namespace ichigen::io {
namespace {

struct CodeCase {
  std::string code;
  NumberKind kind;
};

TEST(ClassifyFormatCode, DatesTimesAndNumbers) {
  const CodeCase cases[] = {
      {"yyyy/mm/dd", NumberKind::kDate},
      {"YYYY-MM-DD", NumberKind::kDate},
      {"[$-411]ggge\"年\"m\"月\"d\"日\"", NumberKind::kDate},
      {"m/d", NumberKind::kDate},
      {"yyyy\\-mm\\-dd\\ hh:mm", NumberKind::kDate},
      {"h:mm", NumberKind::kTime},
      {"mm:ss", NumberKind::kTime},
      {"h:mm AM/PM", NumberKind::kTime},
      {"[h]:mm", NumberKind::kGeneral},
      {"General", NumberKind::kGeneral},
      {"0.00E+00", NumberKind::kGeneral},
      {"#,##0", NumberKind::kGeneral},
      {"\"day\"0", NumberKind::kGeneral},
      {"[Red]0.00", NumberKind::kGeneral},
      {"@", NumberKind::kGeneral},
      {"000000", NumberKind::kZeroPadded},
  };
  for (const CodeCase& c : cases) EXPECT_EQ(ClassifyFormatCode(c.code).kind, c.kind) << c.code;
  EXPECT_EQ(ClassifyFormatCode("0000000").width, 7);
}

TEST(ClassifyBuiltinFormat, Ranges) {
  for (int id : {14, 15, 16, 17, 22, 27, 31, 34, 36, 50, 58}) {
    EXPECT_EQ(ClassifyBuiltinFormat(id).kind, NumberKind::kDate) << id;
  }
  for (int id : {18, 21, 32, 33, 45}) {
    EXPECT_EQ(ClassifyBuiltinFormat(id).kind, NumberKind::kTime) << id;
  }
  for (int id : {0, 2, 4, 10, 46, 49}) {
    EXPECT_EQ(ClassifyBuiltinFormat(id).kind, NumberKind::kGeneral) << id;
  }
}

struct NumberCase {
  double value;
  CellFormat format;
  bool date1904;
  std::string text;
};

TEST(FormatCellNumber, AsExcelShowsIt) {
  const NumberCase cases[] = {
      {45, {}, false, "45"},
      {-2.25, {}, false, "-2.25"},
      {0.1 + 0.2, {}, false, "0.3"},
      {1234567890123.0, {}, false, "1234567890123"},
      {1e20, {}, false, "1e+20"},
      {0, {}, false, "0"},
      {44774, {NumberKind::kDate}, false, "2022-08-01"},
      {44774.3958333333, {NumberKind::kDate}, false, "2022-08-01 09:30:00"},
      {44774.99999999, {NumberKind::kDate}, false, "2022-08-02"},
      {1, {NumberKind::kDate}, false, "1900-01-01"},
      {61, {NumberKind::kDate}, false, "1900-03-01"},
      {43312, {NumberKind::kDate}, true, "2022-08-01"},
      {-1, {NumberKind::kDate}, false, "-1"},
      {0.5, {NumberKind::kTime}, false, "12:00:00"},
      {123, {NumberKind::kZeroPadded, 7}, false, "0000123"},
  };
  for (const NumberCase& c : cases) {
    EXPECT_EQ(FormatCellNumber(c.value, c.format, c.date1904), c.text) << c.value;
  }
}

}  // namespace
}  // namespace ichigen::io
