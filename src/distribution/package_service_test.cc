// PackageService and LastmileService end to end on a real SQLite file and on
// a real PostgreSQL database (ICHIGEN_TEST_PG, see store/pg_test_env.h):
// patients and care events in the Store, agreements and consent in the
// DistributionStore, packages rendered and kept as bytes, read back.
#include "distribution/package_service.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>

#include "distribution/lastmile_service.h"
#include "distribution/snapshot.h"
#include "distribution/test_support.h"
#include "io/encoding.h"
#include "io/zip_archive.h"
#include "store/pg_test_env.h"
#include "store/postgres_distribution_store.h"
#include "store/postgres_store.h"
#include "store/sqlite_distribution_store.h"
#include "store/sqlite_store.h"

namespace ichigen::distribution {
namespace {

namespace fs = std::filesystem;
using testing::D;
using testing::kFujisawa;
using testing::kKamakura;
using testing::kYokohama;
using testing::kYokohamaTsurumi;

enum class StoreKind { kSqlite, kPostgres };

class PackageServiceTest : public ::testing::TestWithParam<StoreKind> {
 protected:
  void SetUp() override {
    std::string name = ::testing::UnitTest::GetInstance()->current_test_info()->name();
    name = name.substr(0, name.find('/'));
    dir_ = fs::temp_directory_path() /
           ("ichigen_pkgsvc_" + std::to_string(::getpid()) + "_" + name +
            (GetParam() == StoreKind::kPostgres ? "_pg" : ""));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    if (GetParam() == StoreKind::kPostgres) {
      server_ = store::FindPgTestServer();
      if (!server_.available()) {
        if (server_.required) FAIL() << server_.why;
        GTEST_SKIP() << server_.why;
      }
      auto fresh = store::FreshPgDatabase(server_.conninfo, "pkgsvc");
      ASSERT_TRUE(fresh.has_value()) << fresh.error().ToString();
      path_ = *fresh;
      databases_.push_back(path_);
    } else {
      path_ = (dir_ / "ichigen.db").string();
    }
    auto rules = domain::RecuperationRules::LoadDefault();
    ASSERT_TRUE(rules.has_value()) << rules.error().ToString();
    rules_ = std::make_unique<domain::RecuperationRules>(std::move(*rules));
    Open(path_);
  }
  void TearDown() override {
    Close();
    for (const std::string& database : databases_) {
      store::DropPgDatabase(server_.conninfo, database);
    }
    fs::remove_all(dir_);
  }
  core::Result<std::unique_ptr<store::Store>> OpenStoreAt(const std::string& location) const {
    if (GetParam() == StoreKind::kPostgres) {
      ASSIGN_OR_RETURN(auto opened, store::PostgresStore::Open(location));
      return std::unique_ptr<store::Store>(std::move(opened));
    }
    ASSIGN_OR_RETURN(auto opened, store::SqliteStore::Open(location));
    return std::unique_ptr<store::Store>(std::move(opened));
  }
  core::Result<std::unique_ptr<store::DistributionStore>> OpenDistAt(
      const std::string& location) const {
    if (GetParam() == StoreKind::kPostgres) {
      ASSIGN_OR_RETURN(auto opened, store::PostgresDistributionStore::Open(location));
      return std::unique_ptr<store::DistributionStore>(std::move(opened));
    }
    ASSIGN_OR_RETURN(auto opened, store::SqliteDistributionStore::Open(location));
    return std::unique_ptr<store::DistributionStore>(std::move(opened));
  }
  // A copy of the closed store (a file copy, or a database made from it).
  std::string CopyOfStore(const std::string& tag) {
    if (GetParam() == StoreKind::kPostgres) {
      auto copy = store::CopyPgDatabase(server_.conninfo, path_, "pkgsvc_" + tag);
      EXPECT_TRUE(copy.has_value()) << copy.error().ToString();
      if (!copy) return "";
      databases_.push_back(*copy);
      return *copy;
    }
    const std::string copy = (dir_ / (tag + ".db")).string();
    fs::copy_file(path_, copy);
    return copy;
  }
  void Open(const std::string& path) {
    auto s = OpenStoreAt(path);
    ASSERT_TRUE(s.has_value()) << s.error().ToString();
    store_ = std::move(*s);
    auto d = OpenDistAt(path);
    ASSERT_TRUE(d.has_value()) << d.error().ToString();
    dist_ = std::move(*d);
  }
  void Close() {
    dist_.reset();
    store_.reset();
  }

  static int64_t At8(std::string_view day) { return Cutoff{D(day), 8 * 60}.UnixSeconds(); }

  static domain::Event Ev(domain::EventType type, std::string_view day,
                          std::string residence = "") {
    domain::Event e;
    e.type = type;
    e.effective_on = D(day);
    e.received_at = At8(day);
    e.source = "HER-SYS";
    e.residence_code = std::move(residence);
    return e;
  }

  // A patient notified on `day` with onset the day before, at home from `day`.
  int64_t AddHomePatient(const std::string& hersys, const std::string& name,
                         const std::string& code6, std::string_view day,
                         std::string address = "神奈川県鎌倉市御成町18-10") {
    store::PatientRecord p;
    p.hersys_id = hersys;
    p.name = name;
    p.name_kana = "カマクラ ハナコ";
    p.birth_date = "1980-05-05";
    p.age = 42;
    p.address = std::move(address);
    p.municipality_code = code6;
    p.phone = "0467-23-3000";
    p.health_center = "鎌倉保健福祉事務所";
    domain::Event notified = Ev(domain::EventType::kNotified, day, code6);
    notified.onset_on = D(day).AddDays(-1);
    std::vector<domain::Event> events = {notified, Ev(domain::EventType::kHomeStarted, day)};
    return AddPatient(p, events);
  }

  int64_t AddPatient(store::PatientRecord p, std::vector<domain::Event> events) {
    store::BatchInfo info;
    info.sha256 = "sha-" + std::to_string(++batches_);
    info.file_name = "test.csv";
    info.source = "test";
    info.profile = "hersys";
    auto writer = store_->BeginBatch(info);
    EXPECT_TRUE(writer.has_value()) << writer.error().ToString();
    if (!writer) return 0;
    p.created_batch = (*writer)->batch_id();
    p.updated_batch = p.created_batch;
    auto id = (*writer)->InsertPatient(p);
    EXPECT_TRUE(id.has_value()) << id.error().ToString();
    if (!id) return 0;
    for (size_t i = 0; i < events.size(); ++i) {
      events[i].batch_id = (*writer)->batch_id();
      auto added = (*writer)->AddEvent(*id, events[i], info.sha256 + ":" + std::to_string(i));
      EXPECT_TRUE(added.has_value()) << added.error().ToString();
    }
    EXPECT_TRUE((*writer)->Commit(info).has_value());
    return *id;
  }

  void AddEvents(int64_t patient_id, std::vector<domain::Event> events) {
    store::BatchInfo info;
    info.sha256 = "sha-" + std::to_string(++batches_);
    info.file_name = "updates.csv";
    info.source = "test";
    info.profile = "updates";
    auto writer = store_->BeginBatch(info);
    ASSERT_TRUE(writer.has_value());
    for (size_t i = 0; i < events.size(); ++i) {
      events[i].batch_id = (*writer)->batch_id();
      ASSERT_TRUE((*writer)->AddEvent(patient_id, events[i], info.sha256 + std::to_string(i)));
    }
    ASSERT_TRUE((*writer)->Commit(info).has_value());
  }

  void Agree(const std::string& code6, std::string_view fields, bool roll_up = false,
             bool consent_required = true) {
    Agreement a = testing::MakeAgreement(code6, fields, roll_up);
    a.consent_required = consent_required;
    a.recorded_at = At8("2022-04-01");
    ASSERT_TRUE(dist_->AddAgreementVersion(a).has_value());
  }

  void Consent(int64_t patient_id, distribution::Consent consent, std::string_view day) {
    store::ConsentRecord r;
    r.patient_id = patient_id;
    r.consent = consent;
    r.source = "保健所";
    r.on = D(day);
    ASSERT_TRUE(dist_->AddConsent(r).has_value());
  }

  DistributeReport Distribute(std::string_view day, std::string out_dir = "") {
    PackageService service(*store_, *dist_, testing::TestRegistry(), *rules_);
    DistributeOptions options;
    options.cutoff = testing::At(day);
    options.out_dir = std::move(out_dir);
    options.now_utc = "2022-08-01T00:00:00Z";
    auto report = service.Distribute(options);
    EXPECT_TRUE(report.has_value()) << report.error().ToString();
    return report.has_value() ? std::move(*report) : DistributeReport{};
  }

  const DistributedPackage* Find(const DistributeReport& report, const std::string& code6) {
    for (const auto& p : report.packages) {
      if (p.record.municipality_code6 == code6) return &p;
    }
    ADD_FAILURE() << "no package for " << code6;
    return nullptr;
  }

  nlohmann::json Counts(const DistributedPackage& p) {
    return nlohmann::json::parse(p.record.counts_json);
  }

  std::string FileBytes(const std::string& package_id, const std::string& format) {
    auto files = dist_->PackageFiles(package_id, true);
    EXPECT_TRUE(files.has_value());
    for (const auto& f : *files) {
      if (f.format == format) return f.bytes;
    }
    ADD_FAILURE() << format << " missing";
    return "";
  }

  // Every text a municipality can see in a package: the CSV decoded from
  // CP932, the XLSX's XML parts, the JSON and the manifest.
  std::string AllVisibleText(const std::string& package_id) {
    std::string text;
    auto csv = io::DecodeCp932(FileBytes(package_id, "csv"));
    EXPECT_TRUE(csv.has_value());
    if (csv) text += *csv;
    const fs::path xlsx = dir_ / (package_id + ".xlsx");
    {
      std::ofstream out(xlsx, std::ios::binary);
      const std::string bytes = FileBytes(package_id, "xlsx");
      out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    }
    auto zip = io::ZipArchive::Open(xlsx.string());
    EXPECT_TRUE(zip.has_value());
    if (zip) {
      for (const char* part : {"xl/sharedStrings.xml", "xl/worksheets/sheet1.xml",
                               "docProps/core.xml", "docProps/app.xml"}) {
        if (!(*zip)->Has(part)) continue;
        auto xml = (*zip)->ReadAll(part, 64 << 20);
        if (xml) text += *xml;
      }
    }
    text += FileBytes(package_id, "json");
    text += FileBytes(package_id, "manifest");
    return text;
  }

  store::PgTestServer server_;
  std::vector<std::string> databases_;  // PostgreSQL databases to drop
  fs::path dir_;
  std::string path_;  // SQLite file or PostgreSQL conninfo
  int batches_ = 0;
  std::unique_ptr<domain::RecuperationRules> rules_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<store::DistributionStore> dist_;
};

INSTANTIATE_TEST_SUITE_P(Stores, PackageServiceTest,
                         ::testing::Values(StoreKind::kSqlite, StoreKind::kPostgres),
                         [](const ::testing::TestParamInfo<StoreKind>& info) {
                           return info.param == StoreKind::kSqlite ? "SQLite" : "PostgreSQL";
                         });

TEST_P(PackageServiceTest, UnagreedFieldNeverAppearsInAnyStoredFormat) {
  const int64_t id = AddHomePatient("HS1", "鎌倉 花子", kKamakura, "2022-08-01");
  Consent(id, Consent::kGiven, "2022-08-01");
  Agree(kKamakura, "name,phone");
  const DistributeReport report = Distribute("2022-08-01", (dir_ / "out").string());
  ASSERT_EQ(report.packages.size(), 1u);
  const std::string pid = report.packages[0].record.id;
  EXPECT_EQ(pid, kKamakura + "-20220801T0900");
  const std::string text = AllVisibleText(pid);
  EXPECT_NE(text.find("鎌倉 花子"), std::string::npos);    // agreed, CP932 read back
  EXPECT_NE(text.find("0467-23-3000"), std::string::npos);
  // The birth date in every form a file could carry it (ISO, slashes, digits
  // only, the Japanese era, the Excel serial of 1980-05-05); a bare "1980"
  // would also match a file digest's hex now and then.
  for (const char* leak : {"御成町", "カマクラ", "1980-05-05", "1980/05/05", "19800505",
                           "昭和55", "29346", "鎌倉保健福祉事務所", "HS1"}) {
    EXPECT_EQ(text.find(leak), std::string::npos) << leak;
  }
  // --out holds exactly the stored bytes, under the municipality's code.
  const fs::path csv = dir_ / "out" / (kKamakura + "_20220801T0900_package.csv");
  ASSERT_TRUE(fs::exists(csv));
  std::ifstream in(csv, std::ios::binary);
  EXPECT_EQ(std::string(std::istreambuf_iterator<char>(in), {}), FileBytes(pid, "csv"));
}

TEST_P(PackageServiceTest, ConsentWithdrawalEndsWithoutDetailsThenIsAbsent) {
  const int64_t id = AddHomePatient("HS1", "鎌倉 花子", kKamakura, "2022-08-01");
  Consent(id, Consent::kGiven, "2022-08-01");
  Agree(kKamakura, "name,phone,care_period");
  const auto day1 = Distribute("2022-08-01");
  EXPECT_EQ(Counts(*Find(day1, kKamakura))["new"], 1);
  Consent(id, Consent::kWithdrawn, "2022-08-02");
  const auto day2 = Distribute("2022-08-02");
  const auto* p2 = Find(day2, kKamakura);
  EXPECT_EQ(Counts(*p2)["ended_by"]["consent_withdrawn"], 1);
  const std::string text2 = AllVisibleText(p2->record.id);
  EXPECT_NE(text2.find("同意撤回"), std::string::npos);
  EXPECT_EQ(text2.find("鎌倉 花子"), std::string::npos);
  EXPECT_EQ(text2.find("0467"), std::string::npos);
  const auto day3 = Distribute("2022-08-03");
  EXPECT_EQ(Find(day3, kKamakura)->record.rows, 0);
}

TEST_P(PackageServiceTest, ConsentDefaultFromTheAgreement) {
  AddHomePatient("HS1", "鎌倉 花子", kKamakura, "2022-08-01");  // no consent recorded
  Agree(kKamakura, "name", false, /*consent_required=*/true);
  Agree(kFujisawa, "name", false, /*consent_required=*/false);
  AddHomePatient("HS2", "藤沢 次郎", kFujisawa, "2022-08-01");
  const auto report = Distribute("2022-08-01");
  EXPECT_EQ(Find(report, kKamakura)->record.rows, 0);
  EXPECT_EQ(Find(report, kFujisawa)->record.rows, 1);
}

TEST_P(PackageServiceTest, MoveIsEndedForOneAndNewForTheOther) {
  const int64_t id = AddHomePatient("HS1", "鎌倉 花子", kKamakura, "2022-08-01");
  Consent(id, Consent::kGiven, "2022-08-01");
  Agree(kKamakura, "name");
  Agree(kFujisawa, "name");
  const auto day1 = Distribute("2022-08-01");
  EXPECT_EQ(Find(day1, kKamakura)->record.rows, 1);
  EXPECT_EQ(Find(day1, kFujisawa)->record.rows, 0);
  AddEvents(id, {Ev(domain::EventType::kHomeStarted, "2022-08-02", kFujisawa)});
  const auto day2 = Distribute("2022-08-02");
  EXPECT_EQ(Counts(*Find(day2, kKamakura))["ended_by"]["moved_out"], 1);
  EXPECT_EQ(Counts(*Find(day2, kFujisawa))["new"], 1);
  // Refs differ per municipality: the two lists cannot be joined by ref.
  auto s1 = ParseSnapshot(Find(day1, kKamakura)->record.snapshot_json);
  auto s2 = ParseSnapshot(Find(day2, kFujisawa)->record.snapshot_json);
  ASSERT_EQ(s1->entries.size(), 1u);
  ASSERT_EQ(s2->entries.size(), 1u);
  EXPECT_NE(s1->entries[0].ref, s2->entries[0].ref);
}

TEST_P(PackageServiceTest, WardResidentsRollUpToTheCity) {
  const int64_t id = AddHomePatient("HS1", "横浜 一郎", kYokohamaTsurumi, "2022-08-01",
                                    "神奈川県横浜市鶴見区鶴見中央3-20-1");
  Consent(id, Consent::kGiven, "2022-08-01");
  Agree(kYokohama, "name,address", /*roll_up=*/true);
  const auto report = Distribute("2022-08-01");
  const auto* p = Find(report, kYokohama);
  EXPECT_EQ(p->record.rows, 1);
  EXPECT_NE(AllVisibleText(p->record.id).find("鶴見中央"), std::string::npos);
}

TEST_P(PackageServiceTest, ReasonsComeFromRealEvents) {
  // Onset 2022-07-19: home recuperation ends by itself after 10 days.
  const int64_t expiring = AddHomePatient("HS1", "期間 満了", kKamakura, "2022-07-20");
  const int64_t admitted = AddHomePatient("HS2", "入院 予定", kKamakura, "2022-07-28");
  const int64_t released = AddHomePatient("HS3", "解除 済", kKamakura, "2022-07-28");
  for (int64_t id : {expiring, admitted, released}) Consent(id, Consent::kGiven, "2022-07-20");
  Agree(kKamakura, "name");
  EXPECT_EQ(Find(Distribute("2022-07-28"), kKamakura)->record.rows, 3);
  domain::Event admission = Ev(domain::EventType::kAdmitted, "2022-08-01");
  admission.facility = "鎌倉総合病院";
  AddEvents(admitted, {admission});
  AddEvents(released, {Ev(domain::EventType::kReleased, "2022-08-01")});
  const auto day2 = Distribute("2022-08-01");
  const auto counts = Counts(*Find(day2, kKamakura));
  EXPECT_EQ(counts["ended_by"]["hospitalized"], 1);
  EXPECT_EQ(counts["ended_by"]["released"], 2);  // by expiry and by release
  EXPECT_EQ(counts["ended"], 3);
}

TEST_P(PackageServiceTest, RebuildGivesTheSameBytesAndNoSecondPackage) {
  const int64_t id = AddHomePatient("HS1", "鎌倉 花子", kKamakura, "2022-08-01");
  Consent(id, Consent::kGiven, "2022-08-01");
  Agree(kKamakura, "name,name_kana,address,phone,care_period");
  Agree(kFujisawa, "name");
  Close();  // the last connection checkpoints the WAL: one file to copy
  const std::string copy = CopyOfStore("copy");
  Open(copy);
  const auto from_copy = Distribute("2022-08-01");
  std::map<std::string, std::string> bytes_copy;
  for (const auto& p : from_copy.packages) {
    for (const char* f : {"csv", "xlsx", "json", "manifest"}) {
      bytes_copy[p.record.id + f] = FileBytes(p.record.id, f);
    }
  }
  Close();
  Open(path_);
  const auto first = Distribute("2022-08-01");
  ASSERT_EQ(first.packages.size(), 2u);
  for (const auto& p : first.packages) {
    EXPECT_FALSE(p.existing);
    for (const char* f : {"csv", "xlsx", "json", "manifest"}) {
      EXPECT_EQ(FileBytes(p.record.id, f), bytes_copy[p.record.id + f]) << p.record.id << f;
    }
  }
  const auto again = Distribute("2022-08-01");
  for (size_t i = 0; i < again.packages.size(); ++i) {
    EXPECT_TRUE(again.packages[i].existing);
    EXPECT_EQ(again.packages[i].record.manifest_sha256, first.packages[i].record.manifest_sha256);
  }
  EXPECT_EQ(dist_->ListPackages({})->size(), 2u);
}

TEST_P(PackageServiceTest, ReceiptsAndTheUnacknowledgedList) {
  AddHomePatient("HS1", "鎌倉 花子", kKamakura, "2022-08-01");
  Agree(kKamakura, "name");
  Agree(kFujisawa, "name");
  Distribute("2022-08-01");
  store::PackageFilter unacked;
  unacked.unacknowledged_only = true;
  EXPECT_EQ(dist_->ListPackages(unacked)->size(), 2u);
  ASSERT_TRUE(dist_->Acknowledge(kKamakura + "-20220801T0900", "鎌倉市", "2022-08-01T01:00:00Z"));
  const auto left = dist_->ListPackages(unacked);
  ASSERT_EQ(left->size(), 1u);
  EXPECT_EQ((*left)[0].municipality_code6, kFujisawa);
}

TEST_P(PackageServiceTest, NoAgreementInForceIsNotFound) {
  PackageService service(*store_, *dist_, testing::TestRegistry(), *rules_);
  DistributeOptions options;
  options.cutoff = testing::At("2022-08-01");
  auto report = service.Distribute(options);
  ASSERT_FALSE(report.has_value());
  EXPECT_EQ(report.error().code, core::Code::kNotFound);
}

TEST_P(PackageServiceTest, LastmileResolvesRefsAndRaisesAlerts) {
  const int64_t worse = AddHomePatient("HS1", "鎌倉 花子", kKamakura, "2022-08-01");
  const int64_t silent = AddHomePatient("HS2", "鎌倉 次郎", kKamakura, "2022-08-01");
  for (int64_t id : {worse, silent}) Consent(id, Consent::kGiven, "2022-08-01");
  Agree(kKamakura, "name");
  Agree(kFujisawa, "name");
  const auto report = Distribute("2022-08-01");
  auto snapshot = ParseSnapshot(Find(report, kKamakura)->record.snapshot_json);
  ASSERT_EQ(snapshot->entries.size(), 2u);
  std::map<int64_t, std::string> ref;
  for (const auto& e : snapshot->entries) ref[e.patient_id] = e.ref;

  LastmileService service(*store_, *dist_);
  LastmileEntry e{kKamakura, ref[worse], D("2022-08-02"), "体調悪化", "息苦しい", "鎌倉市", "t"};
  auto outcome = service.Record(e);
  ASSERT_TRUE(outcome.has_value()) << outcome.error().ToString();
  EXPECT_EQ(outcome->record.patient_id, worse);
  ASSERT_TRUE(outcome->alert.has_value());
  EXPECT_EQ(outcome->alert->health_center, "鎌倉保健福祉事務所");
  EXPECT_EQ(outcome->alert->on, D("2022-08-02"));

  e.ref = ref[silent];
  e.kind = "不通";
  EXPECT_FALSE(service.Record(e)->alert.has_value());  // once is not yet an alert
  e.on = D("2022-08-03");
  EXPECT_TRUE(service.Record(e)->alert.has_value());   // twice in a row is
  EXPECT_EQ(dist_->ListAlerts("鎌倉保健福祉事務所", false)->size(), 2u);

  e.ref = "ZZZZ-ZZZZ-ZZZZ";
  EXPECT_EQ(service.Record(e).error().code, core::Code::kNotFound);
  // Another municipality cannot record on Kamakura's ref.
  e.municipality_code6 = kFujisawa;
  e.ref = ref[worse];
  EXPECT_EQ(service.Record(e).error().code, core::Code::kNotFound);
  e.municipality_code6 = kKamakura;
  e.kind = "訪問";
  EXPECT_EQ(service.Record(e).error().code, core::Code::kInvalidArgument);
}

// The parallel derive pass, the chunked patient reads and the packages
// built on several threads give exactly the bytes of the one-thread run:
// a generated store (residents at home in wards and cities, admissions,
// moves, a consent withdrawal) distributed on two days, from copies of one
// store file, with 1, 2, 3 and 5 slices.
TEST_P(PackageServiceTest, ParallelDistributeGivesTheSameBytesAsOneThread) {
  const std::string codes[] = {kKamakura, kFujisawa, kYokohamaTsurumi, testing::kYokohamaNaka};
  std::vector<int64_t> ids;
  for (int i = 0; i < 240; ++i) {
    const std::string day = "2022-07-2" + std::to_string(i % 8);
    ids.push_back(AddHomePatient("HS" + std::to_string(i), "患者 " + std::to_string(i),
                                 codes[i % 4], day));
  }
  for (size_t i = 0; i < ids.size(); ++i) {
    if (i % 7 == 0) AddEvents(ids[i], {Ev(domain::EventType::kAdmitted, "2022-07-29")});
    if (i % 11 == 0) AddEvents(ids[i], {Ev(domain::EventType::kHomeStarted, "2022-07-29", kFujisawa)});
  }
  Consent(ids[5], Consent::kWithdrawn, "2022-07-29");
  // At home, but the address could not be placed in any municipality.
  AddHomePatient("HS-unplaced", "住所 不明", "", "2022-07-25", "");
  Agree(kKamakura, "name,address,phone,care_period", false, /*consent_required=*/false);
  Agree(kFujisawa, "name,name_kana,care_period", false, false);
  Agree(kYokohama, "name,address", /*roll_up=*/true, false);
  Close();

  // Per slice count: every package of both days, with its files' bytes.
  auto run = [&](int slices) {
    const std::string copy = CopyOfStore("copy" + std::to_string(slices));
    auto store = OpenStoreAt(copy);
    auto dist = OpenDistAt(copy);
    EXPECT_TRUE(store.has_value() && dist.has_value());
    store::StoreOpener open = [this, copy]() { return OpenStoreAt(copy); };
    PackageService service(**store, **dist, testing::TestRegistry(), *rules_,
                           slices > 1 ? open : store::StoreOpener{}, slices);
    std::vector<std::pair<std::string, std::string>> out;  // (package/file, bytes)
    int64_t rows = 0;
    for (const char* day : {"2022-07-28", "2022-07-30"}) {
      DistributeOptions options;
      options.cutoff = testing::At(day);
      options.now_utc = "2022-08-01T00:00:00Z";
      auto report = service.Distribute(options);
      EXPECT_TRUE(report.has_value()) << report.error().ToString();
      if (!report) return out;
      EXPECT_EQ(report->residents_without_residence, 1) << day;
      for (const auto& p : report->packages) {
        rows += p.record.rows;
        out.emplace_back(p.record.id, p.record.snapshot_json + p.record.counts_json);
        auto files = (*dist)->PackageFiles(p.record.id, true);
        EXPECT_TRUE(files.has_value());
        for (const auto& f : *files) out.emplace_back(p.record.id + "/" + f.name, f.bytes);
      }
    }
    EXPECT_GT(rows, 200) << slices;  // the residents really are in the packages
    return out;
  };
  const auto one = run(1);
  ASSERT_EQ(one.size(), 2u * 3u * 5u);  // 2 days × 3 packages × (record + 4 files)
  for (int slices : {2, 3, 5}) {
    const auto many = run(slices);
    ASSERT_EQ(many.size(), one.size()) << slices;
    for (size_t i = 0; i < one.size(); ++i) {
      EXPECT_EQ(many[i].first, one[i].first) << slices;
      EXPECT_TRUE(many[i].second == one[i].second) << slices << " slices: " << one[i].first;
    }
  }
}

}  // namespace
}  // namespace ichigen::distribution
