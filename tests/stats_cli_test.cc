// `ichigen import` keeps the figures current, through the real binary:
// nothing is computed until `ichigen stats recompute` turns the figures on;
// after that each import updates them (late sheets, a withdrawal), and a
// failed update leaves the batch committed, is reported, and is repaired by
// the next import or by `ichigen stats recompute`. Both on a SQLite file and
// with `--db postgresql://…` (ICHIGEN_TEST_PG, see store/pg_test_env.h).
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <sstream>

#include "shell.h"
#include "store/pg_test_env.h"
#include "store/sqlite_handle.h"

namespace ichigen {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

using test::Shell;
using test::ShellResult;

std::string Fixture(const std::string& name) {
  return std::string(ICHIGEN_TEST_DATA_DIR) + "/stats/" + name;
}

enum class StoreKind { kSqlite, kPostgres };

class StatsCliTest : public ::testing::TestWithParam<StoreKind> {
 protected:
  void SetUp() override {
    std::string name = ::testing::UnitTest::GetInstance()->current_test_info()->name();
    for (char& c : name) {
      if (c == '/') c = '_';
    }
    dir_ = fs::temp_directory_path() /
           ("ichigen_stats_cli_" + std::to_string(::getpid()) + "_" + name);
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    if (GetParam() == StoreKind::kPostgres) {
      server_ = store::FindPgTestServer();
      if (!server_.available()) {
        if (server_.required) FAIL() << server_.why;
        GTEST_SKIP() << server_.why;
      }
      auto fresh = store::FreshPgDatabase(server_.conninfo, "stats_cli");
      ASSERT_TRUE(fresh.has_value()) << fresh.error().ToString();
      database_ = *fresh;
      db_ = store::PgUrl(database_);
    } else {
      db_ = (dir_ / "t.db").string();
    }
  }
  void TearDown() override {
    if (!database_.empty()) store::DropPgDatabase(server_.conninfo, database_);
    fs::remove_all(dir_);
  }

  ShellResult Run(const std::string& args) const {
    return Shell(std::string(ICHIGEN_BINARY) + " --db '" + db_ + "' " + args + " 2>/dev/null");
  }
  json ImportJson(const std::string& fixture) const {
    ShellResult r = Run("import --json " + Fixture(fixture));
    EXPECT_EQ(r.exit, 0) << r.out;
    return json::parse(r.out, nullptr, false);
  }
  int64_t NotifiedOn(const std::string& day) const {
    ShellResult r = Run("stats daily --json --from " + day + " --to " + day);
    EXPECT_EQ(r.exit, 0) << r.out;
    json days = json::parse(r.out, nullptr, false);
    return days.is_array() && days.size() == 1 ? days[0]["total"].get<int64_t>() : -1;
  }
  int64_t VerifyDifferences() const {
    ShellResult r = Run("stats verify --json");
    json report = json::parse(r.out, nullptr, false);
    EXPECT_TRUE(report.is_object()) << r.out;
    return report.is_object() ? report["differences"].get<int64_t>() : -1;
  }

  store::PgTestServer server_;
  std::string database_;  // PostgreSQL: the conninfo, to drop
  fs::path dir_;
  std::string db_;  // as given to --db: a file, or a postgresql:// URL
};

INSTANTIATE_TEST_SUITE_P(Stores, StatsCliTest,
                         ::testing::Values(StoreKind::kSqlite, StoreKind::kPostgres),
                         [](const ::testing::TestParamInfo<StoreKind>& info) {
                           return info.param == StoreKind::kSqlite ? "SQLite" : "PostgreSQL";
                         });

TEST_P(StatsCliTest, ImportUpdatesTheFiguresOnceTheyExist) {
  // No figures yet: the import computes nothing and says nothing about them.
  json first = ImportJson("hersys_day1.csv");
  ASSERT_TRUE(first.is_object());
  EXPECT_FALSE(first.contains("stats")) << first.dump();
  // Reading figures that were never computed is an error, not zeros.
  EXPECT_EQ(Run("stats daily --json --from 2022-08-01 --to 2022-08-01").exit, 5);
  ASSERT_EQ(Run("stats recompute --json").exit, 0);
  EXPECT_EQ(NotifiedOn("2022-08-02"), 2);

  // A late sheet withdraws 1000004 (notified 2022-08-02): the import updates
  // the past day it touches.
  json late = ImportJson("updates_late.csv");
  ASSERT_TRUE(late.contains("stats")) << late.dump();
  EXPECT_EQ(late["stats"]["updated_through_batch"], late["batch_id"]);
  EXPECT_GT(late["stats"]["changed"].get<int64_t>(), 0);
  EXPECT_LE(late["stats"]["first_day"].get<std::string>(), "2022-08-02");
  EXPECT_EQ(NotifiedOn("2022-08-02"), 1);

  // Re-importing the same file changes nothing and updates nothing.
  json again = ImportJson("updates_late.csv");
  EXPECT_TRUE(again["duplicate_file"].get<bool>());
  EXPECT_FALSE(again.contains("stats"));

  // Human output says it too.
  ShellResult more = Run("import " + Fixture("updates_more.csv"));
  ASSERT_EQ(more.exit, 0) << more.out;
  EXPECT_NE(more.out.find("集計を更新しました"), std::string::npos) << more.out;
  EXPECT_EQ(VerifyDifferences(), 0);
}

// A merge or unmerge by an operator reaches the figures at once, without
// waiting for the next import; `stats update` takes in any left over.
TEST_P(StatsCliTest, MergeDecisionsReachTheFiguresAtOnce) {
  ImportJson("hersys_day1.csv");
  // Before figures exist a decision computes nothing and says nothing.
  ShellResult early = Run("review merge 1 2 --reason 'テスト' --json");
  ASSERT_EQ(early.exit, 0) << early.out;
  EXPECT_FALSE(json::parse(early.out, nullptr, false).contains("stats")) << early.out;
  ShellResult early_undo = Run("review unmerge " +
                               std::to_string(json::parse(early.out)["id"].get<int64_t>()) +
                               " --reason 'テスト' --json");
  ASSERT_EQ(early_undo.exit, 0) << early_undo.out;
  ASSERT_EQ(Run("stats recompute --json").exit, 0);
  EXPECT_EQ(VerifyDifferences(), 0);

  // 1000005 (notified 2022-08-03) is found to be 1000003 (2022-08-02).
  ShellResult merged = Run("review merge 3 5 --reason '同一人物（重複届出）' --json");
  ASSERT_EQ(merged.exit, 0) << merged.out;
  const json merge = json::parse(merged.out, nullptr, false);
  ASSERT_TRUE(merge.contains("stats")) << merged.out;
  EXPECT_EQ(merge["stats"]["patients"], 2);
  EXPECT_EQ(NotifiedOn("2022-08-03"), 0) << "one person, counted on 1000003's day";
  EXPECT_EQ(VerifyDifferences(), 0);

  ShellResult undone = Run("review unmerge " + std::to_string(merge["id"].get<int64_t>()) +
                           " --reason '別人と判明'");
  ASSERT_EQ(undone.exit, 0) << undone.out;
  EXPECT_NE(undone.out.find("集計に反映しました"), std::string::npos) << undone.out;
  EXPECT_EQ(NotifiedOn("2022-08-03"), 1);
  EXPECT_EQ(VerifyDifferences(), 0);
  // Nothing left for `stats update` to take in.
  ShellResult update = Run("stats update --json");
  ASSERT_EQ(update.exit, 0) << update.out;
  EXPECT_EQ(update.out.find("\"decisions\""), std::string::npos) << update.out;
  // A decision the figures missed (its update failed, or an older version
  // made it) is taken in by `stats update`.
  const char* mark = "INSERT INTO decision_patients (patient_id) VALUES (5)";
  if (GetParam() == StoreKind::kPostgres) {
    auto conn = store::PgConn::Connect(database_);
    ASSERT_TRUE(conn.has_value()) << conn.error().ToString();
    ASSERT_TRUE((*conn)->Exec(mark));
  } else {
    auto db = store::SqliteDb::Open(db_);
    ASSERT_TRUE(db.has_value());
    ASSERT_TRUE((*db)->Exec(mark));
  }
  ShellResult repair = Run("stats update --json");
  ASSERT_EQ(repair.exit, 0) << repair.out;
  const json taken = json::parse(repair.out, nullptr, false);
  ASSERT_TRUE(taken.is_object()) << repair.out;
  EXPECT_TRUE(taken["decisions"].get<bool>());
  EXPECT_EQ(taken["patients"], 1);
  EXPECT_EQ(Run("stats update --json").out, "") << "taken in once";
  EXPECT_EQ(VerifyDifferences(), 0);
}

TEST_P(StatsCliTest, AFailedUpdateKeepsTheBatchAndIsRepaired) {
  ImportJson("hersys_day1.csv");
  ASSERT_EQ(Run("stats recompute --json").exit, 0);
  // Damage the stored contributions: the next update cannot decode them.
  if (GetParam() == StoreKind::kPostgres) {
    auto conn = store::PgConn::Connect(database_);
    ASSERT_TRUE(conn.has_value()) << conn.error().ToString();
    ASSERT_TRUE((*conn)->Exec("UPDATE stats_contributions SET data = '\\x00'::bytea"));
  } else {
    auto db = store::SqliteDb::Open(db_);
    ASSERT_TRUE(db.has_value());
    ASSERT_TRUE((*db)->Exec("UPDATE stats_contributions SET data = x'00'"));
  }
  json late = ImportJson("updates_late.csv");
  ASSERT_TRUE(late.is_object());
  EXPECT_GT(late["batch_id"].get<int64_t>(), 0);
  EXPECT_FALSE(late.contains("stats"));
  ASSERT_TRUE(late.contains("after_batch_error")) << late.dump();
  EXPECT_EQ(late["after_batch_error"]["code"], "data_loss");
  EXPECT_NE(late["after_batch_error"]["message"].get<std::string>().find("ichigen stats update"),
            std::string::npos);
  // The batch is committed: a second import of the file is a duplicate.
  EXPECT_TRUE(ImportJson("updates_late.csv")["duplicate_file"].get<bool>());
  // The figures are stale, verify says so, and a recomputation repairs them.
  EXPECT_EQ(NotifiedOn("2022-08-02"), 2);
  EXPECT_GT(VerifyDifferences(), 0);
  ASSERT_EQ(Run("stats recompute --json").exit, 0);
  EXPECT_EQ(NotifiedOn("2022-08-02"), 1);
  EXPECT_EQ(VerifyDifferences(), 0);
}

}  // namespace
}  // namespace ichigen
