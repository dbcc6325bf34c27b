// The distribution store's contract, run against SQLite and PostgreSQL (see
// store/pg_test_env.h for the server).
#include "store/sqlite_distribution_store.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <thread>

#include "store/pg_test_env.h"
#include "store/postgres_distribution_store.h"
#include "store/postgres_store.h"
#include "store/sqlite_store.h"

namespace ichigen::store {
namespace {

using distribution::Consent;

enum class StoreKind { kSqlite, kPostgres };

class DistributionStoreContractTest : public ::testing::TestWithParam<StoreKind> {
 protected:
  void SetUp() override {
    std::string name = ::testing::UnitTest::GetInstance()->current_test_info()->name();
    name = name.substr(name.find('/') + 1);
    name = name.substr(0, name.find('/'));
    dir_ = std::filesystem::temp_directory_path() /
           ("ichigen_diststore_" + std::to_string(::getpid()) + "_" + name +
            (GetParam() == StoreKind::kPostgres ? "_pg" : ""));
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    if (GetParam() == StoreKind::kPostgres) {
      server_ = FindPgTestServer();
      if (!server_.available()) {
        if (server_.required) FAIL() << server_.why;
        GTEST_SKIP() << server_.why;
      }
      auto fresh = FreshPgDatabase(server_.conninfo, "dist_" + name);
      ASSERT_TRUE(fresh.has_value()) << fresh.error().ToString();
      path_ = *fresh;
    } else {
      path_ = (dir_ / "ichigen.db").string();
    }
    // The core store first, as in the server: both tracks share one database.
    if (GetParam() == StoreKind::kPostgres) {
      auto core_store = PostgresStore::Open(path_);
      ASSERT_TRUE(core_store.has_value()) << core_store.error().ToString();
    } else {
      auto core_store = SqliteStore::Open(path_);
      ASSERT_TRUE(core_store.has_value()) << core_store.error().ToString();
    }
    auto opened = OpenStore();
    ASSERT_TRUE(opened.has_value()) << opened.error().ToString();
    store_ = std::move(*opened);
  }
  void TearDown() override {
    store_.reset();
    if (GetParam() == StoreKind::kPostgres && server_.available()) {
      DropPgDatabase(server_.conninfo, path_);
    }
    std::filesystem::remove_all(dir_);
  }

  // Another store on the same data (another thread, another server).
  core::Result<std::unique_ptr<DistributionStore>> OpenStore() const {
    if (GetParam() == StoreKind::kPostgres) {
      ASSIGN_OR_RETURN(auto opened, PostgresDistributionStore::Open(path_));
      return std::unique_ptr<DistributionStore>(std::move(opened));
    }
    ASSIGN_OR_RETURN(auto opened, SqliteDistributionStore::Open(path_));
    return std::unique_ptr<DistributionStore>(std::move(opened));
  }

  static PackageRecord Package(const std::string& code, const std::string& compact,
                               int64_t cutoff_unix) {
    PackageRecord p;
    p.id = code + "-" + compact;
    p.municipality_code6 = code;
    p.municipality_name = "鎌倉市";
    p.cutoff = compact;
    p.cutoff_unix = cutoff_unix;
    p.agreement_version = 1;
    p.rows = 2;
    p.counts_json = "{}";
    p.manifest_json = "{\"id\":\"" + p.id + "\"}";
    p.manifest_sha256 = "00ff";
    p.snapshot_json = "{\"entries\":[]}";
    p.created_at = "2022-08-01T00:00:01Z";
    return p;
  }

  PgTestServer server_;
  std::filesystem::path dir_;
  std::string path_;  // SQLite file or PostgreSQL conninfo
  std::unique_ptr<DistributionStore> store_;
};

INSTANTIATE_TEST_SUITE_P(Stores, DistributionStoreContractTest,
                         ::testing::Values(StoreKind::kSqlite, StoreKind::kPostgres),
                         [](const ::testing::TestParamInfo<StoreKind>& info) {
                           return info.param == StoreKind::kSqlite ? "SQLite" : "PostgreSQL";
                         });

// Both dialects carry the same distribution migrations, version for version.
TEST(DistributionMigrationsTest, BothDialectsHaveTheSameVersions) {
  ASSERT_EQ(PostgresDistributionMigrations().size(), SqliteDistributionMigrations().size());
  for (size_t i = 0; i < SqliteDistributionMigrations().size(); ++i) {
    EXPECT_EQ(PostgresDistributionMigrations()[i].version,
              SqliteDistributionMigrations()[i].version);
    EXPECT_STREQ(PostgresDistributionMigrations()[i].description,
                 SqliteDistributionMigrations()[i].description);
  }
}

TEST_P(DistributionStoreContractTest, RefKeyIsStableAcrossOpens) {
  auto key = store_->RefKey();
  ASSERT_TRUE(key.has_value());
  EXPECT_EQ(key->size(), 64u);
  store_.reset();
  auto reopened = OpenStore();
  ASSERT_TRUE(reopened.has_value()) << reopened.error().ToString();
  EXPECT_EQ(*(*reopened)->RefKey(), *key);
}

TEST_P(DistributionStoreContractTest, AgreementVersionsAreNumberedPerMunicipality) {
  distribution::Agreement a;
  a.municipality_code6 = "142042";
  a.version = 99;  // ignored: the store numbers versions
  a.valid_from = *core::Date::ParseIso("2022-08-01");
  a.purposes = "食料品の支援";
  a.fields = {distribution::Field::kName, distribution::Field::kPhone};
  a.recorded_at = 100;
  auto v1 = store_->AddAgreementVersion(a);
  ASSERT_TRUE(v1.has_value()) << v1.error().ToString();
  EXPECT_EQ(v1->version, 1);
  a.fields.push_back(distribution::Field::kAddress);
  a.roll_up_to_city = true;
  auto v2 = store_->AddAgreementVersion(a);
  ASSERT_TRUE(v2.has_value());
  EXPECT_EQ(v2->version, 2);
  a.municipality_code6 = "142051";
  EXPECT_EQ(store_->AddAgreementVersion(a)->version, 1);

  auto all = store_->ListAgreements();
  ASSERT_TRUE(all.has_value());
  ASSERT_EQ(all->size(), 3u);
  EXPECT_EQ((*all)[1].version, 2);
  EXPECT_TRUE((*all)[1].roll_up_to_city);
  EXPECT_EQ((*all)[1].fields.size(), 3u);
  EXPECT_EQ((*all)[0].purposes, "食料品の支援");
  EXPECT_EQ((*all)[0].valid_from.ToIso(), "2022-08-01");
}

TEST_P(DistributionStoreContractTest, LatestConsentWinsByDateThenRecord) {
  ConsentRecord r;
  r.patient_id = 7;
  r.consent = Consent::kWithdrawn;
  r.source = "保健所";
  r.on = *core::Date::ParseIso("2022-08-03");
  ASSERT_TRUE(store_->AddConsent(r).has_value());
  r.consent = Consent::kGiven;
  r.on = *core::Date::ParseIso("2022-08-01");  // earlier: recorded late, not latest
  ASSERT_TRUE(store_->AddConsent(r).has_value());
  r.patient_id = 8;
  ASSERT_TRUE(store_->AddConsent(r).has_value());
  auto latest = store_->LatestConsents();
  ASSERT_TRUE(latest.has_value());
  EXPECT_EQ(latest->at(7), Consent::kWithdrawn);
  EXPECT_EQ(latest->at(8), Consent::kGiven);
  EXPECT_EQ(store_->ConsentsOf(7)->size(), 2u);
  r.consent = Consent::kUnknown;
  auto bad = store_->AddConsent(r);
  ASSERT_FALSE(bad.has_value());
  EXPECT_EQ(bad.error().code, core::Code::kInvalidArgument);
}

TEST_P(DistributionStoreContractTest, PackageStoredOnceWithExactBytes) {
  std::string xlsx_bytes("PK\x03\x04\0\0binary\xff", 13);
  std::vector<PackageFileBlob> files = {
      {"142042_20220801T0900_package.csv", "csv", "cp932", "aa", "\x90\x56\x8b\x4b"},
      {"142042_20220801T0900_package.xlsx", "xlsx", "", "bb", xlsx_bytes}};
  const PackageRecord p = Package("142042", "20220801T0900", 1000);
  ASSERT_TRUE(store_->InsertPackage(p, files).has_value());
  auto again = store_->InsertPackage(p, files);
  ASSERT_FALSE(again.has_value());
  EXPECT_EQ(again.error().code, core::Code::kAlreadyExists);

  auto got = store_->PackageFiles(p.id, true);
  ASSERT_TRUE(got.has_value());
  ASSERT_EQ(got->size(), 2u);
  EXPECT_EQ((*got)[1].bytes, xlsx_bytes);
  EXPECT_EQ((*got)[0].encoding, "cp932");
  auto names_only = store_->PackageFiles(p.id, false);
  EXPECT_TRUE((*names_only)[1].bytes.empty());
  EXPECT_EQ(store_->GetPackage(p.id)->value().manifest_json, p.manifest_json);
  EXPECT_FALSE(store_->GetPackage("nope")->has_value());
}

TEST_P(DistributionStoreContractTest, PreviousPackageAndReceipts) {
  ASSERT_TRUE(store_->InsertPackage(Package("142042", "20220801T0900", 1000), {}).has_value());
  ASSERT_TRUE(store_->InsertPackage(Package("142042", "20220802T0900", 2000), {}).has_value());
  ASSERT_TRUE(store_->InsertPackage(Package("142051", "20220802T0900", 2000), {}).has_value());
  EXPECT_FALSE(store_->PreviousPackage("142042", 1000)->has_value());
  EXPECT_EQ(store_->PreviousPackage("142042", 2000)->value().id, "142042-20220801T0900");
  EXPECT_EQ(store_->PreviousPackage("142042", 3000)->value().id, "142042-20220802T0900");

  auto acked = store_->Acknowledge("142042-20220801T0900", "鎌倉市 担当", "2022-08-01T01:00:00Z");
  ASSERT_TRUE(acked.has_value());
  EXPECT_EQ(acked->acknowledged_by, "鎌倉市 担当");
  // The first receipt stands.
  auto twice = store_->Acknowledge("142042-20220801T0900", "other", "2022-08-02T01:00:00Z");
  EXPECT_EQ(twice->acknowledged_by, "鎌倉市 担当");
  EXPECT_EQ(store_->Acknowledge("none", "x", "y").error().code, core::Code::kNotFound);

  PackageFilter unacked;
  unacked.unacknowledged_only = true;
  EXPECT_EQ(store_->ListPackages(unacked)->size(), 2u);
  unacked.municipality_code6 = "142051";
  EXPECT_EQ(store_->ListPackages(unacked)->size(), 1u);
  EXPECT_EQ(store_->ListPackages({})->size(), 3u);
}

TEST_P(DistributionStoreContractTest, LastmileAndAlerts) {
  LastmileRecord r;
  r.patient_id = 5;
  r.ref = "ABCD-EFGH-JKMN";
  r.municipality_code6 = "142042";
  r.on = *core::Date::ParseIso("2022-08-02");
  r.kind = "不通";
  ASSERT_TRUE(store_->AddLastmile(r).has_value());
  r.on = *core::Date::ParseIso("2022-08-01");
  r.kind = "連絡済";
  ASSERT_TRUE(store_->AddLastmile(r).has_value());
  auto list = store_->ListLastmile(5, "");
  ASSERT_EQ(list->size(), 2u);
  EXPECT_EQ((*list)[0].kind, "連絡済");  // by date
  EXPECT_EQ(store_->ListLastmile(0, "142051")->size(), 0u);

  AlertRecord a;
  a.patient_id = 5;
  a.health_center = "鎌倉保健福祉事務所";
  a.kind = "condition_worse";
  a.on = r.on;
  ASSERT_TRUE(store_->AddAlert(a).has_value());
  a.health_center = "藤沢市保健所";
  a.resolved = true;
  ASSERT_TRUE(store_->AddAlert(a).has_value());
  EXPECT_EQ(store_->ListAlerts("", false)->size(), 1u);
  EXPECT_EQ(store_->ListAlerts("", true)->size(), 2u);
  EXPECT_EQ(store_->ListAlerts("藤沢市保健所", false)->size(), 0u);
}

TEST_P(DistributionStoreContractTest, EveryByteValueSurvivesAPackageFile) {
  std::string all_bytes;
  for (int b = 0; b < 256; ++b) all_bytes += static_cast<char>(b);
  const PackageRecord p = Package("142042", "20220803T0900", 3000);
  ASSERT_TRUE(store_->InsertPackage(p, {{"all.bin", "xlsx", "", "cc", all_bytes},
                                        {"empty.csv", "csv", "cp932", "dd", ""}})
                  .has_value());
  auto got = store_->PackageFiles(p.id, true);
  ASSERT_TRUE(got.has_value()) << got.error().ToString();
  ASSERT_EQ(got->size(), 2u);
  EXPECT_EQ((*got)[0].bytes, all_bytes);
  EXPECT_EQ((*got)[1].bytes, "");
  EXPECT_EQ((*got)[1].name, "empty.csv");
}

// Two stores (two servers) adding versions of one municipality's agreement at
// once: every version is numbered once, 1..n.
TEST_P(DistributionStoreContractTest, ConcurrentAgreementVersionsAreNumberedOnce) {
  constexpr int kThreads = 4;
  constexpr int kEach = 5;
  std::vector<std::unique_ptr<DistributionStore>> stores;
  for (int t = 0; t < kThreads; ++t) {
    auto opened = OpenStore();
    ASSERT_TRUE(opened.has_value()) << opened.error().ToString();
    stores.push_back(std::move(*opened));
  }
  std::vector<std::string> errors(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      distribution::Agreement a;
      a.municipality_code6 = "142042";
      a.valid_from = *core::Date::ParseIso("2022-08-01");
      for (int i = 0; i < kEach; ++i) {
        auto added = stores[t]->AddAgreementVersion(a);
        if (!added) errors[t] = added.error().ToString();
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  for (const std::string& error : errors) EXPECT_EQ(error, "");
  auto all = store_->ListAgreements();
  ASSERT_TRUE(all.has_value());
  ASSERT_EQ(all->size(), static_cast<size_t>(kThreads * kEach));
  for (size_t i = 0; i < all->size(); ++i) EXPECT_EQ((*all)[i].version, static_cast<int>(i + 1));
}

}  // namespace
}  // namespace ichigen::store
