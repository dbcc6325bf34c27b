#include "store/migrate_encoding.h"

#include <gtest/gtest.h>

#include <vector>

namespace ichigen::store::migration {
namespace {

using namespace std::string_literals;

std::string ChecksumOf(const std::vector<std::string>& rows) {
  TableChecksum checksum;
  for (const std::string& row : rows) checksum.AddRow(row);
  return checksum.Hex();
}

TEST(MigrateChecksumTest, DoesNotDependOnRowOrderButOnEveryRow) {
  const std::string forward = ChecksumOf({"i1;t6:髙橋", "i2;n", "i3;b2:\x00\xff"s});
  const std::string backward = ChecksumOf({"i3;b2:\x00\xff"s, "i2;n", "i1;t6:髙橋"});
  EXPECT_EQ(forward, backward);
  EXPECT_EQ(forward.size(), 32u);
  EXPECT_NE(forward, ChecksumOf({"i1;t6:髙橋", "i2;n"}));              // a row missing
  EXPECT_NE(forward, ChecksumOf({"i1;t6:高橋", "i2;n", "i3;b2:\x00\xff"s}));  // one character
  // A duplicated row counts (a sum, not an exclusive or).
  EXPECT_NE(ChecksumOf({"i2;n"}), ChecksumOf({"i2;n", "i2;n", "i2;n"}));
  EXPECT_EQ(ChecksumOf({}), std::string(32, '0'));
}

TEST(MigrateChecksumTest, CountsRows) {
  TableChecksum checksum;
  checksum.AddRow("n");
  checksum.AddRow("n");
  EXPECT_EQ(checksum.rows(), 2);
}

TEST(MigrateEncodingTest, ValuesOfDifferentKindsNeverEncodeAlike) {
  std::string integer, text, real, blob;
  CanonicalInteger(integer, 12);
  CanonicalBytes(text, 't', "12");
  CanonicalReal(real, 12.0);
  CanonicalBytes(blob, 'b', "12");
  EXPECT_EQ(integer, "i12;");
  EXPECT_EQ(text, "t2:12");
  EXPECT_EQ(real, "r12;");
  EXPECT_EQ(blob, "b2:12");
  // Lengths keep adjacent values apart: ("ab", "c") is not ("a", "bc").
  std::string first, second;
  CanonicalBytes(first, 't', "ab");
  CanonicalBytes(first, 't', "c");
  CanonicalBytes(second, 't', "a");
  CanonicalBytes(second, 't', "bc");
  EXPECT_NE(first, second);
}

TEST(MigrateEncodingTest, RealsInTheShortestFormThatReadsBackExactly) {
  std::string out;
  CanonicalReal(out, 0.1);
  EXPECT_EQ(out, "r0.1;");
  out.clear();
  AppendNumber(out, -1.5e300);
  EXPECT_EQ(std::stod(out), -1.5e300);
}

TEST(MigrateEncodingTest, CopyTextEscapesWhatCopyWouldRead) {
  std::string out;
  CopyText(out, "髙橋\t一郎\n\\改行\r");
  EXPECT_EQ(out, "髙橋\\t一郎\\n\\\\改行\\r");
}

TEST(MigrateEncodingTest, ByteaGoesAsHexAndComesBack) {
  const std::string bytes("\x00\xff\n\\\t\xe3\x81\x82", 8);
  std::string copy;
  CopyBytea(copy, bytes);
  EXPECT_EQ(copy, "\\\\x00ff0a5c09e38182");
  std::string decoded;
  ASSERT_TRUE(DecodeByteaHex(copy.substr(1), decoded));  // as PostgreSQL prints it: one backslash
  EXPECT_EQ(decoded, bytes);
  EXPECT_TRUE(DecodeByteaHex("\\x", decoded));
  EXPECT_TRUE(decoded.empty());
  EXPECT_FALSE(DecodeByteaHex("\\x0", decoded));
  EXPECT_FALSE(DecodeByteaHex("\\xzz", decoded));
  EXPECT_FALSE(DecodeByteaHex("\\000", decoded));  // the escape form
}

}  // namespace
}  // namespace ichigen::store::migration
