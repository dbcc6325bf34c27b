#include "synth/synth.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <vector>

#include "geo/registry.h"
#include "identity/noise.h"
#include "io/encoding.h"
#include "synth/case_curve.h"
#include "synth/name_bank.h"
#include "synth/places.h"
#include "synth/population.h"
#include "synth/text_forms.h"

namespace ichigen::synth {
namespace {

namespace fs = std::filesystem;

std::string ReadFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

// Lines of a file the generator wrote (no field spans lines).
std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  std::string line;
  std::istringstream in(text);
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    lines.push_back(line);
  }
  return lines;
}

// RFC 4180 fields of one well-formed line.
std::vector<std::string> Fields(const std::string& line) {
  std::vector<std::string> fields(1);
  bool quoted = false;
  for (size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (quoted) {
      if (c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
        fields.back().push_back('"');
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        fields.back().push_back(c);
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      fields.emplace_back();
    } else {
      fields.back().push_back(c);
    }
  }
  return fields;
}

class SynthTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto registry = geo::Registry::Load();
    ASSERT_TRUE(registry.has_value()) << registry.error().ToString();
    registry_ = std::move(*registry).release();
  }
  static void TearDownTestSuite() { delete registry_; }

  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("synth_test_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  SynthOptions Options(const std::string& name) {
    SynthOptions options;
    options.out = (dir_ / name).string();
    options.truth = (dir_ / (name + ".truth.csv")).string();
    options.rows = 500;
    return options;
  }

  SynthSummary Run(const SynthOptions& options) {
    auto summary = Synthesize(options, *registry_);
    EXPECT_TRUE(summary.has_value()) << summary.error().ToString();
    return summary.value_or(SynthSummary{});
  }

  // The file as UTF-8 lines.
  std::vector<std::string> Utf8Lines(const SynthOptions& options) {
    std::string bytes = ReadFile(options.out);
    if (options.encoding == io::Encoding::kCp932) {
      auto decoded = io::DecodeCp932(bytes);
      EXPECT_TRUE(decoded.has_value());
      bytes = decoded.value_or("");
    } else if (bytes.starts_with("\xEF\xBB\xBF")) {
      bytes.erase(0, 3);
    }
    return Lines(bytes);
  }

  static geo::Registry* registry_;
  fs::path dir_;
};

geo::Registry* SynthTest::registry_ = nullptr;

const std::vector<std::string> kCanonicalHersysHeader = {
    "HER-SYS ID", "届出日", "氏名", "フリガナ", "性別", "生年月日", "年齢", "郵便番号", "住所",
    "市区町村コード", "電話番号", "職業", "発症日", "診断日", "届出医療機関", "管轄保健所",
    "重症度", "療養状況", "療養開始日", "市町村への情報提供同意"};

TEST_F(SynthTest, SameSeedSameBytesOtherSeedOtherBytes) {
  SynthOptions a = Options("a.csv");
  SynthOptions b = Options("b.csv");
  SynthOptions c = Options("c.csv");
  a.bad_rate = b.bad_rate = c.bad_rate = 0.05;
  c.seed = 2;
  Run(a), Run(b), Run(c);
  EXPECT_EQ(ReadFile(a.out), ReadFile(b.out));
  EXPECT_EQ(ReadFile(a.truth), ReadFile(b.truth));
  EXPECT_NE(ReadFile(a.out), ReadFile(c.out));
}

TEST_F(SynthTest, Cp932RowCountAndCanonicalHeader) {
  SynthOptions options = Options("h.csv");
  options.header_style = HeaderStyle::kCanonical;
  const SynthSummary summary = Run(options);
  EXPECT_EQ(summary.rows, 500);
  EXPECT_EQ(summary.patients, 500);
  EXPECT_EQ(summary.prefecture, "神奈川県");
  const std::string raw = ReadFile(options.out);
  // CP932, not UTF-8: 氏名 is 0x8E81 0x96BC in CP932.
  EXPECT_NE(raw.find("\x8E\x81\x96\xBC"), std::string::npos);
  const std::vector<std::string> lines = Utf8Lines(options);
  ASSERT_EQ(lines.size(), 501u);
  EXPECT_EQ(Fields(lines[0]), kCanonicalHersysHeader);
  for (size_t i = 1; i < lines.size(); ++i) {
    ASSERT_EQ(Fields(lines[i]).size(), kCanonicalHersysHeader.size()) << lines[i];
  }
}

TEST_F(SynthTest, RandomHeadersUseSynonymsAndKeepRequiredColumns) {
  const std::vector<std::set<std::string>> required = {
      {"HER-SYS ID", "HERSYS_ID", "HER-SYSID", "患者ID"},
      {"届出日", "届出年月日"},
      {"氏名", "患者氏名"},
      {"住所", "現住所", "居住地住所"}};
  std::set<std::string> headers_seen;
  for (uint64_t seed = 1; seed <= 6; ++seed) {
    SynthOptions options = Options("r" + std::to_string(seed) + ".csv");
    options.seed = seed;
    options.rows = 5;
    options.encoding = io::Encoding::kUtf8;
    Run(options);
    const std::vector<std::string> header = Fields(Utf8Lines(options)[0]);
    for (const auto& synonyms : required) {
      EXPECT_EQ(std::count_if(header.begin(), header.end(),
                              [&](const std::string& h) { return synonyms.contains(h); }),
                1);
    }
    headers_seen.insert(header[0]);
  }
  EXPECT_GT(headers_seen.size(), 1u);  // the ID header varies between files
}

TEST_F(SynthTest, TitleRowsSitAboveTheHeader) {
  SynthOptions options = Options("t.csv");
  options.title_rows = 3;
  options.header_style = HeaderStyle::kCanonical;
  options.encoding = io::Encoding::kUtf8Bom;
  options.to = core::Date::FromYmd(2022, 8, 1);
  Run(options);
  const std::string raw = ReadFile(options.out);
  EXPECT_TRUE(raw.starts_with("\xEF\xBB\xBF"));
  const std::vector<std::string> lines = Utf8Lines(options);
  EXPECT_EQ(lines[0], "令和4年8月1日 HER-SYS 出力");
  EXPECT_EQ(lines[1], "");
  EXPECT_EQ(Fields(lines[3]), kCanonicalHersysHeader);
  // The truth counts title and header lines: the first data row is line 5.
  const std::vector<std::string> truth = Lines(ReadFile(options.truth));
  EXPECT_EQ(truth[0], "line,hersys_id,person_id,expected,reason_kind");
  EXPECT_EQ(truth[1], "5,1000000,1,accept,ok");
}

TEST_F(SynthTest, BadRowsHaveExactCountsPerKindAndMatchTheTruth) {
  SynthOptions options = Options("bad.csv");
  options.rows = 1000;
  options.bad_rate = 0.1;
  options.header_style = HeaderStyle::kCanonical;
  options.encoding = io::Encoding::kUtf8;
  const SynthSummary summary = Run(options);
  EXPECT_EQ(summary.bad_rows, 100);
  ASSERT_EQ(summary.bad_by_kind.size(), 10u);
  for (const auto& [kind, count] : summary.bad_by_kind) EXPECT_EQ(count, 10) << kind;

  const std::vector<std::string> lines = Utf8Lines(options);
  const std::vector<std::string> truth = Lines(ReadFile(options.truth));
  ASSERT_EQ(truth.size(), 1001u);
  std::map<std::string, int> rejects;
  for (size_t i = 1; i < truth.size(); ++i) {
    const std::vector<std::string> t = Fields(truth[i]);
    ASSERT_EQ(t.size(), 5u);
    const std::string& row = lines[std::stoul(t[0]) - 1];
    const std::vector<std::string> f = Fields(row);
    if (t[3] == "reject") ++rejects[t[4]];
    if (t[4] == "ok") {
      EXPECT_EQ(t[3], "accept");
      EXPECT_EQ(f[0], t[1]);
      EXPECT_FALSE(f[2].empty());
    } else if (t[4] == "missing_hersys_id") {
      EXPECT_TRUE(f[0].empty());
    } else if (t[4] == "missing_name") {
      EXPECT_TRUE(f[2].empty());
    } else if (t[4] == "missing_address") {
      EXPECT_TRUE(f[8].empty());
    } else if (t[4] == "missing_notified_on") {
      EXPECT_TRUE(f[1].empty());
    } else if (t[4] == "bad_id_shape") {
      const bool digits = f[0].find_first_not_of("0123456789") == std::string::npos;
      EXPECT_TRUE(!digits || f[0].size() < 6 || f[0].size() > 8) << f[0];
    } else if (t[4] == "stray_quote") {
      // "山田"太郎: text after the closing quote of the name field.
      EXPECT_TRUE(std::regex_search(row, std::regex(R"(,"[^",]+"[^",])"))) << row;
    } else if (t[4] == "absurd_date") {
      EXPECT_TRUE(f[1].find("1800") != std::string::npos || f[1].find("2099") != std::string::npos ||
                  f[1].find("令和81") != std::string::npos || f[1].find("R81") != std::string::npos)
          << f[1];
    } else if (t[4] == "impossible_date") {
      EXPECT_TRUE(f[1].find("30") != std::string::npos || f[1].find("31") != std::string::npos);
    }
  }
  EXPECT_EQ(rejects.size(), 10u);
  for (const auto& [kind, count] : rejects) EXPECT_EQ(count, 10) << kind;
}

TEST_F(SynthTest, DatesStayWithinFromTo) {
  SynthOptions options = Options("dates.csv");
  options.from = core::Date::FromYmd(2022, 7, 1);
  options.to = core::Date::FromYmd(2022, 7, 31);
  options.encoding = io::Encoding::kUtf8;
  options.header_style = HeaderStyle::kCanonical;
  Run(options);
  // Every written form of every day in range; each 届出日 must be one.
  std::set<std::string> allowed;
  for (core::Date d = *options.from; d <= *options.to; d = d.AddDays(1)) {
    for (int s = 0; s < kDateStyleCount; ++s) allowed.insert(FormatDate(d, static_cast<DateStyle>(s)));
  }
  const std::vector<std::string> lines = Utf8Lines(options);
  for (size_t i = 1; i < lines.size(); ++i) {
    EXPECT_TRUE(allowed.contains(Fields(lines[i])[1])) << Fields(lines[i])[1];
  }
}

TEST_F(SynthTest, MunicipalityCodesBelongToThePrefecture) {
  for (const std::string prefecture : {"14", "東京都", "Osaka"}) {
    SynthOptions options = Options("m.csv");
    options.prefecture = prefecture;
    options.encoding = io::Encoding::kUtf8;
    options.header_style = HeaderStyle::kCanonical;
    Run(options);
    const int expected_code = prefecture == "14" ? 14 : prefecture == "東京都" ? 13 : 27;
    const std::vector<std::string> lines = Utf8Lines(options);
    int filled = 0;
    for (size_t i = 1; i < lines.size(); ++i) {
      const std::string code = Fields(lines[i])[9];
      if (code.empty()) continue;
      ++filled;
      ASSERT_TRUE(code.size() == 5 || code.size() == 6) << code;
      if (code.size() == 6) {
        EXPECT_TRUE(geo::IsValidCode6(code)) << code;
      }
      const geo::Municipality* m = registry_->FindByCode(code);
      ASSERT_NE(m, nullptr) << code;
      EXPECT_EQ(m->prefecture_code, expected_code) << code;
      EXPECT_FALSE(m->is_designated_city) << code;  // wards are written, not the city
    }
    EXPECT_GT(filled, 100);
    EXPECT_LT(filled, 450);  // some rows leave it empty
  }
}

TEST_F(SynthTest, ResendsRepeatAnEarlierIdWithAChange) {
  SynthOptions options = Options("dup.csv");
  options.rows = 1000;
  options.duplicate_rate = 0.05;
  options.encoding = io::Encoding::kUtf8;
  const SynthSummary summary = Run(options);
  EXPECT_EQ(summary.resent_rows, 50);
  EXPECT_EQ(summary.patients, 950);
  const std::vector<std::string> lines = Utf8Lines(options);
  std::set<std::string> ids;
  for (size_t i = 1; i < lines.size(); ++i) ids.insert(Fields(lines[i])[0]);
  EXPECT_EQ(ids.size(), 950u);
}

TEST_F(SynthTest, UpdatesReferToHersysPatientsAndOftenLackTheId) {
  SynthOptions hersys = Options("h.csv");
  hersys.rows = 300;
  hersys.encoding = io::Encoding::kUtf8;
  hersys.header_style = HeaderStyle::kCanonical;
  Run(hersys);
  std::set<std::string> hersys_ids;
  const std::vector<std::string> hersys_lines = Utf8Lines(hersys);
  for (size_t i = 1; i < hersys_lines.size(); ++i) hersys_ids.insert(Fields(hersys_lines[i])[0]);

  for (SheetKind sheet : {SheetKind::kHospital, SheetKind::kLodging, SheetKind::kHealthCenter}) {
    SynthOptions updates = Options("u.csv");
    updates.kind = SynthKind::kUpdates;
    updates.rows = 400;
    updates.patients = 300;
    updates.sheet = sheet;
    updates.encoding = io::Encoding::kUtf8;
    updates.header_style = HeaderStyle::kCanonical;
    const SynthSummary summary = Run(updates);
    EXPECT_EQ(summary.rows, 400);
    const std::vector<std::string> lines = Utf8Lines(updates);
    const std::vector<std::string> truth = Lines(ReadFile(updates.truth));
    ASSERT_EQ(lines.size(), 401u);
    int without_id = 0;
    for (size_t i = 1; i < lines.size(); ++i) {
      const std::vector<std::string> f = Fields(lines[i]);
      const std::vector<std::string> t = Fields(truth[i]);
      EXPECT_TRUE(hersys_ids.contains(t[1])) << t[1];
      if (f[0].empty()) {
        ++without_id;
        EXPECT_FALSE(f[1].empty());  // then the name is there
        EXPECT_FALSE(f[3].empty());  // and the birth date
      } else {
        EXPECT_EQ(f[0], t[1]);
      }
    }
    EXPECT_NEAR(without_id, 160, 40);  // 40% by default
    const std::vector<std::string> header = Fields(lines[0]);
    if (sheet == SheetKind::kHospital) {
      EXPECT_EQ(header[9], "入院日");
    }
    if (sheet == SheetKind::kLodging) {
      EXPECT_EQ(header[9], "入所日");
    }
    if (sheet == SheetKind::kHealthCenter) {
      EXPECT_EQ(header[7], "区分");
    }
  }
}

TEST_F(SynthTest, XlsxIsAZipWorkbook) {
  SynthOptions options = Options("x.xlsx");
  options.format = OutputFormat::kXlsx;
  options.rows = 50;
  options.bad_rate = 0.2;
  const SynthSummary summary = Run(options);
  EXPECT_EQ(summary.lines, 51);
  EXPECT_EQ(summary.bad_by_kind.count("stray_quote"), 0u);  // no CSV quoting in XLSX
  EXPECT_TRUE(ReadFile(options.out).starts_with("PK"));
}

TEST_F(SynthTest, RejectsBadOptions) {
  SynthOptions options = Options("bad_options.csv");
  options.id_start = 99'999'990;
  EXPECT_EQ(Synthesize(options, *registry_).error().code, core::Code::kInvalidArgument);
  options = Options("bad_options.csv");
  options.prefecture = "99";
  EXPECT_EQ(Synthesize(options, *registry_).error().code, core::Code::kNotFound);
  options = Options("bad_options.csv");
  options.bad_rate = 1.5;
  EXPECT_EQ(Synthesize(options, *registry_).error().code, core::Code::kInvalidArgument);
}

TEST(NameBankTest, LoadsWeightedNamesAndSexesGivenNames) {
  auto bank = NameBank::Load();
  ASSERT_TRUE(bank.has_value()) << bank.error().ToString();
  EXPECT_EQ(bank->surnames().size(), 2000u);
  EXPECT_EQ(bank->given_names().size(), 2000u);
  EXPECT_EQ(bank->surnames().front().surface, "佐藤");
  EXPECT_EQ(bank->surnames().front().reading, "サトウ");
  Rng rng(3);
  for (int i = 0; i < 2000; ++i) {
    EXPECT_NE(SexFromGivenName(bank->GivenName(Sex::kMale, rng).surface), Sex::kFemale);
    EXPECT_NE(SexFromGivenName(bank->GivenName(Sex::kFemale, rng).surface), Sex::kMale);
  }
  EXPECT_EQ(SexFromGivenName("花子"), Sex::kFemale);
  EXPECT_EQ(SexFromGivenName("太郎"), Sex::kMale);
  EXPECT_EQ(SexFromGivenName("薫"), std::nullopt);
  // Every name must survive CP932, the default output encoding.
  for (const NameEntry& e : bank->surnames()) EXPECT_TRUE(io::EncodeCp932(e.surface).has_value());
  for (const NameEntry& e : bank->given_names()) EXPECT_TRUE(io::EncodeCp932(e.surface).has_value());
}

TEST(NameBankTest, RejectsMalformedRows) {
  auto parsed = NameBank::ParseTsv("# c\n佐藤\tサトウ\n", "x.tsv");
  ASSERT_FALSE(parsed.has_value());
  EXPECT_EQ(parsed.error().code, core::Code::kInvalidArgument);
  EXPECT_EQ(parsed.error().context, "x.tsv:2");
}

TEST(CaseCurveTest, FollowsCountsAndFallsBackToUniform) {
  const std::string csv =
      "\xEF\xBB\xBF" "Date,ALL,Kanagawa\n2022/8/1,0,0\n2022/8/2,10,10\n2022/8/3,30,30\n";
  auto curve = CaseCurve::Parse(csv, "Kanagawa", std::nullopt, std::nullopt);
  ASSERT_TRUE(curve.has_value()) << curve.error().ToString();
  EXPECT_EQ(curve->total_cases(), 40);
  EXPECT_EQ(curve->Quantile(0.0), *core::Date::FromYmd(2022, 8, 2));
  EXPECT_EQ(curve->Quantile(0.24), *core::Date::FromYmd(2022, 8, 2));
  EXPECT_EQ(curve->Quantile(0.26), *core::Date::FromYmd(2022, 8, 3));
  EXPECT_EQ(curve->Quantile(0.999), *core::Date::FromYmd(2022, 8, 3));
  auto quiet = CaseCurve::Parse(csv, "Kanagawa", core::Date::FromYmd(2024, 1, 1),
                                core::Date::FromYmd(2024, 1, 4));
  ASSERT_TRUE(quiet.has_value());
  EXPECT_EQ(quiet->Quantile(0.0), *core::Date::FromYmd(2024, 1, 1));
  EXPECT_EQ(quiet->Quantile(0.99), *core::Date::FromYmd(2024, 1, 4));
  EXPECT_EQ(CaseCurve::Parse(csv, "Tokyo", std::nullopt, std::nullopt).error().code,
            core::Code::kNotFound);
}

}  // namespace
}  // namespace ichigen::synth

namespace ichigen::synth {
namespace {

TEST_F(SynthTest, IdentityNoiseIsWrittenAndToldInTheTruth) {
  SynthOptions options = Options("noisy.csv");
  options.kind = SynthKind::kUpdates;
  options.rows = 2000;
  options.patients = 1000;
  options.no_id_rate = 1.0;
  options.identity_noise = true;
  options.stranger_rate = 0.1;
  options.header_style = HeaderStyle::kCanonical;
  options.sheet = SheetKind::kHospital;
  const SynthSummary summary = Run(options);  // CP932: every noisy name must fit
  SynthOptions again = options;
  again.out = (dir_ / "again.csv").string();
  again.truth = (dir_ / "again.truth.csv").string();
  Run(again);
  EXPECT_EQ(ReadFile(options.out), ReadFile(again.out));
  EXPECT_EQ(ReadFile(options.truth), ReadFile(again.truth));

  const std::vector<std::string> lines = Utf8Lines(options);
  const std::vector<std::string> truth = Lines(ReadFile(options.truth));
  ASSERT_EQ(lines.size(), 2001u);
  ASSERT_EQ(truth.size(), 2001u);
  EXPECT_EQ(truth[0], "line,hersys_id,person_id,expected,reason_kind,row_kind,noise");
  std::map<std::string, int> kinds, noise;
  for (size_t i = 1; i < lines.size(); ++i) {
    const std::vector<std::string> f = Fields(lines[i]);
    const std::vector<std::string> t = Fields(truth[i]);
    ASSERT_EQ(t.size(), 7u) << truth[i];
    EXPECT_TRUE(f[0].empty());
    ++kinds[t[5]];
    // A stranger is nobody in the store; everyone else names a patient.
    EXPECT_EQ(t[1].empty(), t[5] != "existing") << truth[i];
    EXPECT_EQ(t[2].empty(), t[5] != "existing") << truth[i];
    std::set<std::string> applied;
    for (size_t from = 0; from <= t[6].size();) {
      const size_t to = std::min(t[6].find(';', from), t[6].size());
      applied.insert(t[6].substr(from, to - from));
      ++noise[t[6].substr(from, to - from)];
      from = to + 1;
    }
    EXPECT_EQ(f[2].empty(), applied.contains("kana_missing")) << lines[i];
    EXPECT_EQ(f[4].empty(), applied.contains("sex_missing")) << lines[i];
    if (applied.contains("phone_missing")) {
      EXPECT_TRUE(f[5].empty()) << lines[i];
    }
    EXPECT_EQ(f[6].empty(), applied.contains("address_missing")) << lines[i];
    // Hard negatives keep the address that makes them decidable.
    if (t[5] != "existing") {
      EXPECT_FALSE(applied.contains("address_missing"));
    }
    if (applied.contains("name_no_space")) {
      EXPECT_EQ(f[1].find(' '), std::string::npos) << f[1];
    }
  }
  EXPECT_NEAR(kinds["existing"], 1800, 60);
  for (const char* stranger : {"twin", "family", "namesake"}) {
    EXPECT_NEAR(kinds[stranger], 67, 30) << stranger;
    EXPECT_EQ(summary.identity_rows_by_kind.at(stranger), kinds[stranger]);
  }
  // Every kind of identity/noise.h occurs; about a third of rows have none.
  for (size_t k = 0; k < identity::kNoiseKindCount; ++k) {
    const std::string name(identity::NoiseKindName(static_cast<identity::NoiseKind>(k)));
    EXPECT_GT(noise[name], 10) << name;
  }
  EXPECT_NEAR(noise["none"], 2000 * 0.35 * 0.6, 120);

  SynthOptions wrong = Options("wrong.csv");
  wrong.kind = SynthKind::kUpdates;
  wrong.stranger_rate = 0.1;
  auto refused = Synthesize(wrong, *registry_);
  ASSERT_FALSE(refused.has_value());
  EXPECT_EQ(refused.error().code, core::Code::kInvalidArgument);
  EXPECT_EQ(refused.error().context, "--stranger-rate");
}

}  // namespace
}  // namespace ichigen::synth
