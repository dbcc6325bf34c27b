// Benchmark (not a test): every municipal package of Kanagawa (prefecture
// 14) for 65,000 residents in home recuperation, in all three formats.
// Yokohama and Sagamihara roll their wards up; Kawasaki's wards each have
// their own agreement. Day 1 is built to get a previous snapshot; day 2 (with
// releases, moves, consent withdrawals, phone changes and new residents) is
// timed: building, then each format written with its SHA-256, then the
// manifests. Prints one JSON line.
// Usage: bench_distribution [residents] [output dir]
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "core/sha256.h"
#include "distribution/formats.h"
#include "distribution/package.h"
#include "geo/registry.h"

namespace {

using namespace ichigen;
using distribution::Column;
using Clock = std::chrono::steady_clock;

double Seconds(Clock::time_point since) {
  return std::chrono::duration<double>(Clock::now() - since).count();
}

std::string ReadFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

bool WriteFile(const std::filesystem::path& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  return static_cast<bool>(out);
}

const char* const kSurnames[] = {"佐藤", "鈴木", "高橋", "髙橋", "田中", "伊藤", "渡辺", "山本",
                                 "中村", "小林", "加藤", "吉田", "山田", "山﨑", "松本", "井上"};
const char* const kSurnameKana[] = {"サトウ", "スズキ", "タカハシ", "タカハシ", "タナカ", "イトウ",
                                    "ワタナベ", "ヤマモト", "ナカムラ", "コバヤシ", "カトウ", "ヨシダ",
                                    "ヤマダ", "ヤマザキ", "マツモト", "イノウエ"};
const char* const kGiven[] = {"太郎", "花子", "一郎", "陽菜", "蓮", "結衣", "大翔", "美咲"};
const char* const kGivenKana[] = {"タロウ", "ハナコ", "イチロウ", "ヒナ", "レン", "ユイ", "ヒロト", "ミサキ"};

distribution::ResidentRow MakeResident(int64_t id, const geo::Municipality& m, std::mt19937_64& rng) {
  distribution::ResidentRow row;
  row.patient_id = id;
  row.residence_code6 = m.code6;
  row.consent = distribution::Consent::kGiven;
  const size_t s = rng() % 16;
  const size_t g = rng() % 8;
  row.Set(Column::kName, std::string(kSurnames[s]) + " " + kGiven[g]);
  row.Set(Column::kNameKana, std::string(kSurnameKana[s]) + " " + kGivenKana[g]);
  row.Set(Column::kSex, std::string(g % 2 ? "女" : "男"));
  const core::Date birth = core::Date::FromDays(static_cast<int32_t>(-7000 + rng() % 25000));
  row.Set(Column::kBirthDate, birth);
  row.Set(Column::kAge, int64_t{core::AgeOn(birth, *core::Date::FromYmd(2022, 8, 1))});
  row.Set(Column::kPostalCode, std::to_string(2300000 + rng() % 30000));
  row.Set(Column::kAddress, "神奈川県" + m.full_name + "本町" + std::to_string(1 + rng() % 9) +
                                "丁目" + std::to_string(1 + rng() % 30) + "番" +
                                std::to_string(1 + rng() % 20) + "号");
  row.Set(Column::kPhone, "090-" + std::to_string(1000 + rng() % 9000) + "-" +
                              std::to_string(1000 + rng() % 9000));
  const core::Date start = core::Date::FromYmd(2022, 7, 25)->AddDays(static_cast<int32_t>(rng() % 7));
  row.Set(Column::kCareStart, start);
  row.Set(Column::kCareEnd, start.AddDays(7));
  row.Set(Column::kCareStatus, std::string("自宅療養中"));
  row.Set(Column::kHealthCenter, m.health_center);
  row.Set(Column::kHealthCenterFindings, std::string(rng() % 4 ? "" : "基礎疾患あり、要観察"));
  row.Set(Column::kNotes, std::string());
  return row;
}

}  // namespace

int main(int argc, char** argv) {
  const int64_t count = argc > 1 ? std::stoll(argv[1]) : 65000;
  const std::filesystem::path dir =
      argc > 2 ? std::filesystem::path(argv[2])
               : std::filesystem::temp_directory_path() / "ichigen_bench_distribution";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);

  auto registry = geo::Registry::Load();
  if (!registry.has_value()) {
    std::fprintf(stderr, "%s\n", registry.error().ToString().c_str());
    return 1;
  }
  const geo::Registry& reg = **registry;
  const std::string yokohama = geo::WithCheckDigit("14100");
  const std::string kawasaki = geo::WithCheckDigit("14130");
  const std::string sagamihara = geo::WithCheckDigit("14150");

  // Residence codes: every current municipality and ward (not the
  // designated cities themselves, whose residents live in a ward).
  std::vector<const geo::Municipality*> places;
  std::vector<distribution::Agreement> agreements;
  const std::vector<distribution::Field> fields =
      distribution::ParseFieldList("name,name_kana,sex,age,birth_date,address,phone,care_period,"
                                   "health_center_findings")
          .value();
  auto agree = [&](const std::string& code6, bool roll_up) {
    distribution::Agreement a;
    a.municipality_code6 = code6;
    a.valid_from = *core::Date::FromYmd(2022, 4, 1);
    a.purposes = "食料品・日用品の支援、安否確認";
    a.fields = fields;
    a.roll_up_to_city = roll_up;
    agreements.push_back(a);
  };
  for (const geo::Municipality* m : reg.InPrefecture(14)) {
    if (m->retired()) continue;
    if (m->is_designated_city) {
      if (m->code6 != kawasaki) agree(m->code6, true);
      continue;
    }
    places.push_back(m);
    if (!m->is_ward || m->parent_code6 == kawasaki) agree(m->code6, false);
  }

  std::mt19937_64 rng(20220801);
  std::vector<distribution::ResidentRow> residents;
  residents.reserve(static_cast<size_t>(count));
  for (int64_t id = 1; id <= count; ++id) {
    residents.push_back(MakeResident(id, *places[rng() % places.size()], rng));
  }
  const std::string key = "bench-key";
  const distribution::Cutoff day1{*core::Date::FromYmd(2022, 8, 1), 9 * 60};
  const distribution::Cutoff day2{*core::Date::FromYmd(2022, 8, 2), 9 * 60};
  std::vector<distribution::Snapshot> previous(agreements.size());
  const auto index1 = distribution::ResidentIndex::Create(residents).value();
  for (size_t i = 0; i < agreements.size(); ++i) {
    auto package = distribution::BuildPackage({reg, agreements[i], day1, index1, {}, {}, key});
    if (!package.has_value()) {
      std::fprintf(stderr, "%s\n", package.error().ToString().c_str());
      return 1;
    }
    previous[i] = std::move(package->snapshot);
  }

  // Day 2: 1/12 released (gone from the list), 1/100 moved, 1/200 consent
  // withdrawn, 1/20 a new phone, and 1/12 new residents.
  std::vector<distribution::ResidentRow> today;
  std::vector<distribution::Departure> departures;
  for (distribution::ResidentRow row : residents) {
    const uint64_t r = rng() % 1200;
    if (r < 100) {
      departures.push_back({row.patient_id, domain::CareStatus::kReleased, row.residence_code6,
                            row.consent, false});
      continue;
    }
    if (r < 112) row.residence_code6 = places[rng() % places.size()]->code6;
    if (r >= 112 && r < 118) row.consent = distribution::Consent::kWithdrawn;
    if (r >= 118 && r < 178) row.Set(Column::kPhone, "080-" + std::to_string(1000 + rng() % 9000) + "-0000");
    today.push_back(std::move(row));
  }
  for (int64_t id = count + 1; id <= count + count / 12; ++id) {
    today.push_back(MakeResident(id, *places[rng() % places.size()], rng));
  }

  const auto start = Clock::now();
  auto index = distribution::ResidentIndex::Create(today);
  if (!index.has_value()) return 1;
  std::vector<distribution::Package> packages;
  for (size_t i = 0; i < agreements.size(); ++i) {
    auto package = distribution::BuildPackage(
        {reg, agreements[i], day2, *index, previous[i], departures, key});
    if (!package.has_value()) {
      std::fprintf(stderr, "%s\n", package.error().ToString().c_str());
      return 1;
    }
    packages.push_back(std::move(*package));
  }
  const double build_s = Seconds(start);

  std::vector<std::vector<distribution::PackageFile>> files(packages.size());
  std::vector<int64_t> substituted(packages.size());
  int64_t csv_bytes = 0, xlsx_bytes = 0, json_bytes = 0;
  auto t = Clock::now();
  for (size_t i = 0; i < packages.size(); ++i) {
    auto csv = distribution::RenderCsv(packages[i], io::Encoding::kCp932);
    const std::string name = distribution::FileStem(packages[i]) + "_package.csv";
    if (!csv.has_value() || !WriteFile(dir / name, csv->bytes)) return 1;
    substituted[i] = csv->substituted_characters;
    csv_bytes += static_cast<int64_t>(csv->bytes.size());
    files[i].push_back({name, "csv", "cp932", static_cast<int64_t>(csv->bytes.size()),
                        core::Sha256Hex(csv->bytes)});
  }
  const double csv_s = Seconds(t);
  t = Clock::now();
  for (size_t i = 0; i < packages.size(); ++i) {
    const std::string name = distribution::FileStem(packages[i]) + "_package.xlsx";
    auto status = distribution::WriteXlsx(packages[i], (dir / name).string());
    if (!status.has_value()) {
      std::fprintf(stderr, "%s\n", status.error().ToString().c_str());
      return 1;
    }
    const std::string bytes = ReadFile(dir / name);
    xlsx_bytes += static_cast<int64_t>(bytes.size());
    files[i].push_back({name, "xlsx", "", static_cast<int64_t>(bytes.size()), core::Sha256Hex(bytes)});
  }
  const double xlsx_s = Seconds(t);
  t = Clock::now();
  for (size_t i = 0; i < packages.size(); ++i) {
    const std::string json = distribution::RenderJson(packages[i]);
    const std::string name = distribution::FileStem(packages[i]) + "_package.json";
    if (!WriteFile(dir / name, json)) return 1;
    json_bytes += static_cast<int64_t>(json.size());
    files[i].push_back({name, "json", "utf-8", static_cast<int64_t>(json.size()), core::Sha256Hex(json)});
  }
  const double json_s = Seconds(t);
  t = Clock::now();
  for (size_t i = 0; i < packages.size(); ++i) {
    const std::string manifest = distribution::RenderManifest(packages[i], files[i], substituted[i]);
    if (!WriteFile(dir / (distribution::FileStem(packages[i]) + "_manifest.json"), manifest)) return 1;
  }
  const double manifest_s = Seconds(t);
  const double total_s = Seconds(start);

  size_t rows = 0;
  for (const auto& p : packages) rows += p.rows.size();
  std::printf(
      "{\"bench\":\"distribution\",\"residents_day1\":%lld,\"residents_day2\":%zu,"
      "\"departures\":%zu,\"packages\":%zu,\"rows\":%zu,\"build_s\":%.3f,\"csv_s\":%.3f,"
      "\"xlsx_s\":%.3f,\"json_s\":%.3f,\"manifest_s\":%.3f,\"total_s\":%.3f,"
      "\"csv_bytes\":%lld,\"xlsx_bytes\":%lld,\"json_bytes\":%lld,\"dir\":\"%s\"}\n",
      static_cast<long long>(count), today.size(), departures.size(), packages.size(), rows,
      build_s, csv_s, xlsx_s, json_s, manifest_s, total_s, static_cast<long long>(csv_bytes),
      static_cast<long long>(xlsx_bytes), static_cast<long long>(json_bytes), dir.c_str());
  return 0;
}
