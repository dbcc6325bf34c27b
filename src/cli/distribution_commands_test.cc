// The distribution commands through CLI11 as a clerk types them, on a real
// SQLite file and on a real PostgreSQL database (ICHIGEN_TEST_PG, see
// store/pg_test_env.h): agreements, a CP932 consent sheet, distribute --out, a
// last-mile sheet that raises an alert, and a receipt.
#include "cli/distribution_commands.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "distribution/snapshot.h"
#include "store/pg_test_env.h"
#include "store/postgres_distribution_store.h"
#include "store/postgres_store.h"
#include "store/sqlite_distribution_store.h"
#include "store/sqlite_store.h"

namespace ichigen::cli {
namespace {

namespace fs = std::filesystem;

enum class StoreKind { kSqlite, kPostgres };

class DistributionCommandsTest : public ::testing::TestWithParam<StoreKind> {
 protected:
  void SetUp() override {
    std::string name = ::testing::UnitTest::GetInstance()->current_test_info()->name();
    name = name.substr(0, name.find('/'));
    dir_ = fs::temp_directory_path() /
           ("ichigen_distcli_" + std::to_string(::getpid()) + "_" + name +
            (GetParam() == StoreKind::kPostgres ? "_pg" : ""));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    const bool postgres = GetParam() == StoreKind::kPostgres;
    if (postgres) {
      server_ = store::FindPgTestServer();
      if (!server_.available()) {
        if (server_.required) FAIL() << server_.why;
        GTEST_SKIP() << server_.why;
      }
      auto fresh = store::FreshPgDatabase(server_.conninfo, "distcli_" + name);
      ASSERT_TRUE(fresh.has_value()) << fresh.error().ToString();
      context_.db_path = *fresh;
    } else {
      context_.db_path = (dir_ / "ichigen.db").string();
    }
    context_.open_store = [postgres](const std::string& path)
        -> core::Result<std::unique_ptr<store::Store>> {
      if (postgres) {
        ASSIGN_OR_RETURN(auto opened, store::PostgresStore::Open(path));
        return std::unique_ptr<store::Store>(std::move(opened));
      }
      ASSIGN_OR_RETURN(auto sqlite, store::SqliteStore::Open(path));
      return std::unique_ptr<store::Store>(std::move(sqlite));
    };
    auto s = context_.OpenStore();
    ASSERT_TRUE(s.has_value()) << s.error().ToString();
    AddHomePatient(**s, "HS1", "鎌倉 花子");
    AddHomePatient(**s, "HS2", "鎌倉 次郎");
  }
  void TearDown() override {
    if (GetParam() == StoreKind::kPostgres && server_.available()) {
      store::DropPgDatabase(server_.conninfo, context_.db_path);
    }
    fs::remove_all(dir_);
  }

  core::Result<std::unique_ptr<store::DistributionStore>> OpenDist(const std::string& path) const {
    if (GetParam() == StoreKind::kPostgres) {
      ASSIGN_OR_RETURN(auto opened, store::PostgresDistributionStore::Open(path));
      return std::unique_ptr<store::DistributionStore>(std::move(opened));
    }
    ASSIGN_OR_RETURN(auto sqlite, store::SqliteDistributionStore::Open(path));
    return std::unique_ptr<store::DistributionStore>(std::move(sqlite));
  }

  static void AddHomePatient(store::Store& s, const std::string& hersys, const std::string& name) {
    store::BatchInfo info;
    info.sha256 = "sha-" + hersys;
    info.file_name = "t.csv";
    auto writer = s.BeginBatch(info);
    ASSERT_TRUE(writer.has_value());
    store::PatientRecord p;
    p.hersys_id = hersys;
    p.name = name;
    p.address = "神奈川県鎌倉市御成町18-10";
    p.municipality_code = "142042";
    p.health_center = "鎌倉保健福祉事務所";
    p.created_batch = p.updated_batch = (*writer)->batch_id();
    auto id = (*writer)->InsertPatient(p);
    ASSERT_TRUE(id.has_value());
    const auto day = *core::Date::ParseIso("2022-08-01");
    domain::Event notified;
    notified.type = domain::EventType::kNotified;
    notified.effective_on = day;
    notified.onset_on = day.AddDays(-1);
    notified.received_at = distribution::Cutoff{day, 8 * 60}.UnixSeconds();
    notified.batch_id = (*writer)->batch_id();
    domain::Event home = notified;
    home.type = domain::EventType::kHomeStarted;
    ASSERT_TRUE((*writer)->AddEvent(*id, notified, hersys + "n").has_value());
    ASSERT_TRUE((*writer)->AddEvent(*id, home, hersys + "h").has_value());
    ASSERT_TRUE((*writer)->Commit(info).has_value());
  }

  // Runs one command line; returns the exit code the command set.
  int Run(std::vector<std::string> args) {
    CLI::App app;
    context_.exit_code = 0;
    AddDistributionCommands(app, context_,
                            [this](const std::string& path) { return OpenDist(path); });
    std::reverse(args.begin(), args.end());  // CLI11 takes a reversed vector
    try {
      app.parse(args);
    } catch (const CLI::ParseError& error) {
      return app.exit(error);
    }
    return context_.exit_code;
  }

  std::unique_ptr<store::DistributionStore> Dist() {
    auto d = OpenDist(context_.db_path);
    EXPECT_TRUE(d.has_value()) << d.error().ToString();
    return std::move(*d);
  }

  store::PgTestServer server_;
  fs::path dir_;
  CliContext context_;
};

INSTANTIATE_TEST_SUITE_P(Stores, DistributionCommandsTest,
                         ::testing::Values(StoreKind::kSqlite, StoreKind::kPostgres),
                         [](const ::testing::TestParamInfo<StoreKind>& info) {
                           return info.param == StoreKind::kSqlite ? "SQLite" : "PostgreSQL";
                         });

TEST_P(DistributionCommandsTest, FromAgreementToReceiptAndAlert) {
  ASSERT_EQ(Run({"agreements", "set", "142042", "--fields", "name,phone", "--from", "2022-04-01",
                 "--recorded-at", "2022-04-01T00:00", "--consent-required", "true"}),
            0);
  // The consent sheet: two known patients, one unknown (rejected, exit != 0).
  EXPECT_NE(Run({"consent", "import", ICHIGEN_TEST_DATA_DIR "/distribution/consent_cp932.csv"}), 0);
  EXPECT_EQ(Dist()->LatestConsents()->size(), 2u);

  const fs::path out = dir_ / "out";
  ASSERT_EQ(Run({"distribute", "--cutoff", "2022-08-01T09:00+09:00", "--out", out.string(),
                 "--format", "csv", "--json"}),
            0);
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(out)) names.push_back(entry.path().filename());
  std::sort(names.begin(), names.end());
  EXPECT_EQ(names, (std::vector<std::string>{"142042_20220801T0900_manifest.json",
                                             "142042_20220801T0900_package.csv"}));
  auto package = Dist()->GetPackage("142042-20220801T0900");
  ASSERT_TRUE(package.has_value() && package->has_value());
  EXPECT_EQ((*package)->rows, 1);  // HS1 only: HS2 withdrew

  // The municipality's sheet comes back with the ref it was sent.
  auto snapshot = distribution::ParseSnapshot((*package)->snapshot_json);
  ASSERT_EQ(snapshot->entries.size(), 1u);
  const fs::path sheet = dir_ / "lastmile.csv";
  {
    std::ofstream f(sheet, std::ios::binary);
    f << "整理番号,市区町村コード,日付,区分,備考\r\n"
      << snapshot->entries[0].ref << ",142042,2022-08-02,体調悪化,息苦しいとのこと\r\n"
      << "XXXX-XXXX-XXXX,142042,2022-08-02,連絡済,\r\n";
  }
  EXPECT_NE(Run({"lastmile", "import", sheet.string(), "--by", "鎌倉市"}), 0);  // one rejected
  auto alerts = Dist()->ListAlerts("鎌倉保健福祉事務所", false);
  ASSERT_EQ(alerts->size(), 1u);
  EXPECT_EQ((*alerts)[0].kind, "condition_worse");
  EXPECT_EQ(Dist()->ListLastmile(0, "142042")->size(), 1u);

  ASSERT_EQ(Run({"ack", "142042-20220801T0900", "--by", "鎌倉市 健康課"}), 0);
  EXPECT_EQ(Dist()->GetPackage("142042-20220801T0900")->value().acknowledged_by, "鎌倉市 健康課");
  EXPECT_EQ(Run({"ack", "142042-20990101T0900"}), core::ExitCodeFor(core::Code::kNotFound));
}

TEST_P(DistributionCommandsTest, BadInputGetsAClearErrorNotACrash) {
  EXPECT_EQ(Run({"agreements", "set", "142042", "--fields", "hersys_id"}),
            core::ExitCodeFor(core::Code::kInvalidArgument));
  EXPECT_EQ(Run({"agreements", "set", "999999", "--fields", "name"}),
            core::ExitCodeFor(core::Code::kInvalidArgument));
  EXPECT_EQ(Run({"distribute", "--cutoff", "2099-01-01T09:00"}),
            core::ExitCodeFor(core::Code::kFailedPrecondition));
  EXPECT_EQ(Run({"distribute", "--cutoff", "yesterday"}),
            core::ExitCodeFor(core::Code::kInvalidArgument));
  EXPECT_EQ(Run({"distribute", "--cutoff", "2022-08-01T09:00"}),
            core::ExitCodeFor(core::Code::kNotFound));  // no agreement yet
  EXPECT_EQ(Run({"consent", "set", "HS1", "maybe", "--source", "x"}),
            core::ExitCodeFor(core::Code::kInvalidArgument));
}

}  // namespace
}  // namespace ichigen::cli
