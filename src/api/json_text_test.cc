#include "api/json_text.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace ichigen::api {
namespace {

std::string Dumped(const std::string& value) {
  return nlohmann::json(value).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

// The same bytes as DumpJson for every kind of text the store can hold.
TEST(JsonTextTest, StringsAreEscapedExactlyAsDumpJsonDoes) {
  const std::string cases[] = {
      "",
      "山田 太郎",
      "quote \" backslash \\ slash /",
      std::string("nul \0 inside", 12),
      "\b\f\n\r\t\x01\x1f\x7f",
      "髙橋󠄀 (variation selector) 👩‍⚕️",
      "bad \xff\xfe bytes",
      "cut \xE5\xB1",  // a truncated multi-byte character
      "\xC0\xAF overlong",
  };
  for (const std::string& value : cases) {
    std::string out;
    AppendJsonString(out, value);
    EXPECT_EQ(out, Dumped(value)) << value;
  }
}

TEST(JsonTextTest, ObjectsParseBackToTheValuesWritten) {
  std::string out;
  JsonObjectText o(out);
  o.Int("id", -42)
      .Text("name", "佐藤\n花子")
      .OptionalText("phone", "")
      .OptionalText("sex", "F")
      .Bool("consent", false)
      .Null("age")
      .Raw("raw", R"({"氏名":"佐藤"})");
  o.Value("items") += "[1,2]";
  o.Close();
  const nlohmann::json parsed = nlohmann::json::parse(out);
  EXPECT_EQ(parsed, (nlohmann::json{{"id", -42},
                                    {"name", "佐藤\n花子"},
                                    {"phone", nullptr},
                                    {"sex", "F"},
                                    {"consent", false},
                                    {"age", nullptr},
                                    {"raw", {{"氏名", "佐藤"}}},
                                    {"items", {1, 2}}}));
  std::string empty;
  JsonObjectText(empty).Close();
  EXPECT_EQ(empty, "{}");
}

}  // namespace
}  // namespace ichigen::api
