#include "io/encoding.h"

#include <gtest/gtest.h>

#include <string>

namespace ichigen::io {
namespace {

struct DecodeCase {
  std::string cp932;
  std::string utf8;
};

// Microsoft's cp932 table, as Windows and Excel decode it.
TEST(DecodeCp932, MatchesWindowsTable) {
  const DecodeCase cases[] = {
      {"\x81\x60", "\xEF\xBD\x9E"},  // 〜 → U+FF5E FULLWIDTH TILDE
      {"\x81\x7C", "\xEF\xBC\x8D"},  // − → U+FF0D FULLWIDTH HYPHEN-MINUS
      {"\x81\x61", "\xE2\x88\xA5"},  // ‖ → U+2225
      {"\x87\x40", "\xE2\x91\xA0"},  // ① (NEC row 13)
      {"\x87\x8A", "\xE3\x88\xB1"},  // ㈱
      {"\xFB\xFC", "\xE9\xAB\x99"},  // 髙 (IBM extension)
      {"\xFA\xB1", "\xEF\xA8\x91"},  // 﨑 U+FA11 (IBM extension)
      {"\xED\x95", "\xEF\xA8\x91"},  // 﨑 in the NEC-selected IBM rows
      {"\xFA\x5C", "\xE7\xBA\x8A"},  // 纊 U+7E8A
      {"\x5C\x7E", "\\~"},          // ASCII stays ASCII
      {"\xB1\xB2", "\xEF\xBD\xB1\xEF\xBD\xB2"},  // half-width ｱｲ
  };
  for (const DecodeCase& c : cases) {
    auto decoded = DecodeCp932(c.cp932);
    ASSERT_TRUE(decoded.has_value());
    EXPECT_EQ(*decoded, c.utf8) << c.utf8;
  }
}

TEST(EncodeCp932, RoundTripsAndBestFits) {
  const DecodeCase cases[] = {
      {"\x81\x60", "\xEF\xBD\x9E"},  // U+FF5E
      {"\x81\x60", "\xE3\x80\x9C"},  // U+301C WAVE DASH (Mac, web forms)
      {"\x81\x7C", "\xE2\x88\x92"},  // U+2212 MINUS SIGN
      {"\x81\x7C", "\xEF\xBC\x8D"},  // U+FF0D
      {"\x81\x61", "\xE2\x80\x96"},  // U+2016 DOUBLE VERTICAL LINE
      {"\x81\x91", "\xC2\xA2"},      // ¢
      {"\x81\x92", "\xC2\xA3"},      // £
      {"\x81\xCA", "\xC2\xAC"},      // ¬
      {"\x81\x5C", "\xE2\x80\x94"},  // U+2014 EM DASH
      {"\x87\x40", "\xE2\x91\xA0"},  // ①
      {"\x87\x8A", "\xE3\x88\xB1"},  // ㈱
      {"\xFB\xFC", "\xE9\xAB\x99"},  // 髙
      {"\xFA\xB1", "\xEF\xA8\x91"},  // 﨑
      {"abc", "abc"},
  };
  for (const DecodeCase& c : cases) {
    auto encoded = EncodeCp932(c.utf8);
    ASSERT_TRUE(encoded.has_value()) << c.utf8;
    EXPECT_EQ(*encoded, c.cp932) << c.utf8;
  }
}

TEST(EncodeCp932, UnmappableIsAnErrorUnlessSubstituted) {
  const std::string text = "A\xF0\x9F\x98\x80" "B";  // an emoji
  auto strict = EncodeCp932(text);
  ASSERT_FALSE(strict.has_value());
  EXPECT_EQ(strict.error().code, core::Code::kInvalidArgument);
  EXPECT_NE(strict.error().message_en.find("U+1F600"), std::string::npos);

  auto substituted = EncodeCp932(text, /*substitute=*/true);
  ASSERT_TRUE(substituted.has_value());
  EXPECT_EQ(*substituted, "A\x81\xAC" "B");
}

TEST(Cp932Encoder, UsesMicrosoftTable) {
  EXPECT_EQ(Cp932Encoder::ConverterName(), "ibm-943_P15A-2003");
  auto encoder = Cp932Encoder::Create();
  ASSERT_TRUE(encoder.has_value());
  std::string out;
  int64_t substituted = 0;
  ASSERT_TRUE(encoder->Encode("\xE2\x98\x83\xE2\x98\x83x", true, out, &substituted));
  EXPECT_EQ(substituted, 2);
  EXPECT_EQ(out, "\x81\xAC\x81\xAC" "x");
}

struct DetectCase {
  std::string sample;
  Encoding expected;
};

TEST(DetectEncoding, FromBytes) {
  const DetectCase cases[] = {
      {"", Encoding::kUtf8},
      {"a,b\n1,2\n", Encoding::kUtf8},
      {"\xEF\xBB\xBF" "a,b", Encoding::kUtf8Bom},
      {"\xE6\xB0\x8F\xE5\x90\x8D", Encoding::kUtf8},  // 氏名
      {"\x8E\x81\x96\xBC,\x8F\x5A\x8F\x8A", Encoding::kCp932},  // 氏名,住所
      // UTF-8 cut in the middle of a character by the sample's end.
      {"\xE6\xB0\x8F\xE5\x90", Encoding::kUtf8},
      // cp932 cut after a lead byte.
      {"\x8E\x81\x96", Encoding::kCp932},
  };
  for (const DetectCase& c : cases) {
    EXPECT_EQ(DetectEncoding(c.sample), c.expected) << c.sample;
  }
}

TEST(EncodingName, RoundTrips) {
  for (Encoding e : {Encoding::kUtf8, Encoding::kUtf8Bom, Encoding::kCp932}) {
    auto parsed = ParseEncodingName(EncodingName(e));
    ASSERT_TRUE(parsed.has_value());
    EXPECT_EQ(*parsed, e);
  }
  EXPECT_EQ(ParseEncodingName("Shift_JIS").value(), Encoding::kCp932);
  EXPECT_EQ(ParseEncodingName("sjis").value(), Encoding::kCp932);
  EXPECT_EQ(ParseEncodingName("latin1").error().code, core::Code::kInvalidArgument);
}

TEST(Decoder, KeepsSplitSequencesForTheNextChunk) {
  for (Encoding e : {Encoding::kUtf8, Encoding::kCp932}) {
    auto decoder = Decoder::Create(e);
    ASSERT_TRUE(decoder.has_value());
    const std::string bytes =
        e == Encoding::kCp932 ? std::string("\x8E\x81\x96\xBC") : std::string("\xE6\xB0\x8F\xE5\x90\x8D");
    std::string out;
    for (char b : bytes) out += (*decoder)->Decode(std::string_view(&b, 1), false);
    out += (*decoder)->Decode({}, true);
    EXPECT_EQ(out, "\xE6\xB0\x8F\xE5\x90\x8D");  // 氏名
    EXPECT_EQ((*decoder)->invalid_sequences(), 0);
  }
}

TEST(Decoder, InvalidBytesBecomeReplacementAndAreCounted) {
  auto utf8 = Decoder::Create(Encoding::kUtf8);
  ASSERT_TRUE(utf8.has_value());
  EXPECT_EQ((*utf8)->Decode("a\xFF" "b\xC0\xAF" "c", true), "a\xEF\xBF\xBD" "b\xEF\xBF\xBD\xEF\xBF\xBD" "c");
  EXPECT_EQ((*utf8)->invalid_sequences(), 3);

  auto cp932 = Decoder::Create(Encoding::kCp932);
  ASSERT_TRUE(cp932.has_value());
  // 0x81 followed by 0x20 is not a pair; a lone lead byte at the end neither.
  const std::string out = (*cp932)->Decode("A\x81 B\x82", true);
  EXPECT_EQ(out.substr(0, 1), "A");
  EXPECT_NE(out.find("\xEF\xBF\xBD"), std::string::npos);
  EXPECT_NE(out.find('B'), std::string::npos);
  EXPECT_GE((*cp932)->invalid_sequences(), 2);
}

}  // namespace
}  // namespace ichigen::io
