#include "distribution/fields.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace ichigen::distribution {
namespace {

struct ListCase {
  std::string text;
  std::vector<Field> expected;
};

class ParseFieldListValid : public ::testing::TestWithParam<ListCase> {};

TEST_P(ParseFieldListValid, GivesFieldsInCatalogueOrder) {
  const auto fields = ParseFieldList(GetParam().text);
  ASSERT_TRUE(fields.has_value()) << fields.error().ToString();
  EXPECT_EQ(*fields, GetParam().expected);
}

INSTANTIATE_TEST_SUITE_P(
    Cases, ParseFieldListValid,
    ::testing::Values(
        ListCase{"name,name_kana,address,phone,care_period",
                 {Field::kName, Field::kNameKana, Field::kAddress, Field::kPhone,
                  Field::kCarePeriod}},
        // Kanagawa's memoranda: order given differs from the catalogue.
        ListCase{"care_period, phone ,address,name",
                 {Field::kName, Field::kAddress, Field::kPhone, Field::kCarePeriod}},
        // Gunma's: the end of home recuperation, contact, findings.
        ListCase{"care_end,phone,health_center_findings",
                 {Field::kPhone, Field::kCareEnd, Field::kHealthCenterFindings}},
        ListCase{"氏名、住所，連絡先,療養期間",
                 {Field::kName, Field::kAddress, Field::kPhone, Field::kCarePeriod}},
        ListCase{"ref,name,name,,name", {Field::kName}}));

TEST(ParseFieldList, UnknownNamesAreListedWithTheValidOnes) {
  const auto fields = ParseFieldList("name,adress,telephone");
  ASSERT_FALSE(fields.has_value());
  EXPECT_EQ(fields.error().code, core::Code::kInvalidArgument);
  EXPECT_NE(fields.error().message_en.find("adress, telephone"), std::string::npos);
  for (int f = 0; f < kFieldCount; ++f) {
    EXPECT_NE(fields.error().message_en.find(FieldName(static_cast<Field>(f))), std::string::npos)
        << FieldName(static_cast<Field>(f));
  }
}

TEST(ParseFieldList, HersysIdIsRefusedWithTheReason) {
  const auto fields = ParseFieldList("name,hersys_id");
  ASSERT_FALSE(fields.has_value());
  EXPECT_NE(fields.error().message.find("整理番号"), std::string::npos);
}

TEST(ParseFieldList, EmptyListIsAnError) {
  for (const char* text : {"", " , ", "ref"}) {
    const auto fields = ParseFieldList(text);
    ASSERT_FALSE(fields.has_value()) << text;
    EXPECT_EQ(fields.error().code, core::Code::kInvalidArgument);
  }
}

TEST(Fields, EveryNameAndLabelParsesBackToItsField) {
  for (int f = 0; f < kFieldCount; ++f) {
    const Field field = static_cast<Field>(f);
    EXPECT_EQ(ParseField(FieldName(field)).value(), field);
    EXPECT_EQ(ParseField(FieldLabelJa(field)).value(), field);
    EXPECT_FALSE(FieldColumns(field).empty());
  }
  EXPECT_EQ(FormatFieldList(ParseFieldList("phone,name").value()), "name,phone");
}

TEST(ColumnsFor, RefFirstThenEachColumnOnce) {
  const std::vector<Field> fields = {Field::kCareEnd, Field::kName, Field::kCarePeriod};
  const std::vector<Column> expected = {Column::kRef, Column::kName, Column::kCareStart,
                                        Column::kCareEnd};
  EXPECT_EQ(ColumnsFor(fields), expected);
  EXPECT_EQ(ColumnType(Column::kCareStart), FieldType::kDate);
  EXPECT_EQ(ColumnType(Column::kAge), FieldType::kInteger);
  EXPECT_EQ(ColumnLabelJa(Column::kCareEnd), "療養終了予定日");
}

}  // namespace
}  // namespace ichigen::distribution
