// The ichigen binary as scripts and clerks use it: JSON shapes, idempotent
// re-import, and kill -9 in the middle of a batch leaving no half batch.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "shell.h"
#include "store/sqlite_store.h"

namespace ichigen {
namespace {

namespace fs = std::filesystem;

using test::Shell;
using test::ShellResult;

std::vector<nlohmann::json> JsonLines(const std::string& text) {
  std::vector<nlohmann::json> lines;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty()) lines.push_back(nlohmann::json::parse(line));
  }
  return lines;
}

class CliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("ichigen_cli_test_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    db_ = (dir_ / "t.db").string();
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string Ichigen(const std::string& args) const {
    return std::string(ICHIGEN_BINARY) + " --db " + db_ + " " + args;
  }

  fs::path dir_;
  std::string db_;
};

TEST_F(CliTest, ImportAndRowsJsonShapes) {
  const std::string fixture = std::string(ICHIGEN_TEST_DATA_DIR) + "/intake/hersys_mixed.cp932.csv";
  ShellResult first = Shell(Ichigen("import --json " + fixture));
  ASSERT_EQ(first.exit, 0) << first.out;
  auto reports = JsonLines(first.out);
  ASSERT_EQ(reports.size(), 1u);
  const nlohmann::json& report = reports[0];
  for (const char* key : {"batch_id", "file", "profile", "encoding", "rows", "accepted", "merged",
                          "review", "rejected", "duplicate_file"}) {
    EXPECT_TRUE(report.contains(key)) << key;
  }
  EXPECT_EQ(report["profile"], "hersys");
  EXPECT_EQ(report["encoding"], "cp932");
  EXPECT_EQ(report["duplicate_file"], false);
  const int64_t rows = report["rows"];
  EXPECT_EQ(rows, report["accepted"].get<int64_t>() + report["merged"].get<int64_t>() +
                      report["review"].get<int64_t>() + report["rejected"].get<int64_t>());

  ShellResult listed = Shell(Ichigen("rows " + std::to_string(report["batch_id"].get<int64_t>()) + " --json"));
  ASSERT_EQ(listed.exit, 0);
  auto row_lines = JsonLines(listed.out);
  ASSERT_EQ(static_cast<int64_t>(row_lines.size()), rows);
  EXPECT_EQ(row_lines[0]["line"], 4);  // two title rows and the header come first
  EXPECT_EQ(row_lines[0]["outcome"], "accepted");
  EXPECT_EQ(row_lines[0]["hersys_id"], "1000001");
  EXPECT_TRUE(row_lines[0]["patient_id"].is_number());
  EXPECT_EQ(row_lines[2]["line"], 7);  // line 5's quoted address spans line 6
  for (const auto& row : row_lines) {
    const std::string outcome = row["outcome"];
    EXPECT_TRUE(outcome == "accepted" || outcome == "merged" || outcome == "review" ||
                outcome == "rejected");
    if (outcome == "rejected") {
      EXPECT_FALSE(row["reason"].get<std::string>().empty());
    }
  }

  ShellResult again = Shell(Ichigen("import --json " + fixture));
  ASSERT_EQ(again.exit, 0);
  EXPECT_EQ(JsonLines(again.out)[0]["duplicate_file"], true);

  // The reject report is CP932 CSV that names the line and the reason.
  const std::string rejects = (dir_ / "rejects.csv").string();
  ASSERT_EQ(Shell(Ichigen("rejects 1 --out " + rejects)).exit, 0);
  ShellResult decoded = Shell("iconv -f CP932 -t UTF-8 " + rejects);
  ASSERT_EQ(decoded.exit, 0);
  EXPECT_NE(decoded.out.find("行番号"), std::string::npos);
  EXPECT_NE(decoded.out.find("HER-SYS IDは6～8桁"), std::string::npos);
}

TEST_F(CliTest, UnknownPatientAndBadArgumentsExitNonZero) {
  ASSERT_EQ(Shell(Ichigen("batches")).exit, 0);
  ShellResult missing = Shell(Ichigen("patient show 9999999 2>&1"));
  EXPECT_NE(missing.exit, 0);
  EXPECT_NE(missing.out.find("登録されていません"), std::string::npos);
  EXPECT_NE(Shell(Ichigen("rejects 42 --out /dev/null 2>&1")).exit, 0);
}

TEST_F(CliTest, ReviewMergeAndUnmergeTwoPatientsWithWhoAndWhy) {
  const std::string fixture = std::string(ICHIGEN_TEST_DATA_DIR) + "/intake/hersys_mixed.cp932.csv";
  ASSERT_EQ(Shell(Ichigen("import " + fixture + " >/dev/null")).exit, 0);
  ShellResult merged = Shell(Ichigen("review merge 2 1 --by 担当A --reason 重複届出 --json"));
  ASSERT_EQ(merged.exit, 0) << merged.out;
  const nlohmann::json merge = nlohmann::json::parse(merged.out);
  EXPECT_EQ(merge["action"], "merge");
  EXPECT_EQ(merge["survivor_id"], 2);
  EXPECT_EQ(merge["merged_id"], 1);
  EXPECT_EQ(merge["decided_by"], "担当A");
  EXPECT_FALSE(merge["survivor_events"].empty());
  // A second merge of the same patient is refused with the reason, exit non-zero.
  ShellResult again = Shell(Ichigen("review merge 3 1 --by 担当A --reason x 2>&1"));
  EXPECT_NE(again.exit, 0);
  EXPECT_NE(again.out.find("統合済み"), std::string::npos) << again.out;
  // A reason is required.
  EXPECT_NE(Shell(Ichigen("review merge 3 2 --by 担当A 2>/dev/null")).exit, 0);

  const std::string id = std::to_string(merge["id"].get<int64_t>());
  ShellResult unmerged = Shell(Ichigen("review unmerge " + id + " --by 担当B --reason 別人 --json"));
  ASSERT_EQ(unmerged.exit, 0) << unmerged.out;
  EXPECT_EQ(nlohmann::json::parse(unmerged.out)["undoes"], merge["id"]);
  const std::vector<nlohmann::json> history = JsonLines(Shell(Ichigen("review merges 1 --json")).out);
  ASSERT_EQ(history.size(), 2u);
  EXPECT_TRUE(history[0]["undone"].get<bool>());
  EXPECT_EQ(history[1]["decided_by"], "担当B");
  EXPECT_EQ(history[1]["reason"], "別人");
}

TEST_F(CliTest, KillNineMidBatchLeavesTheStoreAsBefore) {
  const std::string file = (dir_ / "big.csv").string();
  ASSERT_EQ(Shell(std::string(ICHIGEN_BINARY) + " synth --kind hersys --rows 400000 --seed 3 --out " +
                  file + " > /dev/null").exit, 0);
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    ::execl(ICHIGEN_BINARY, ICHIGEN_BINARY, "--db", db_.c_str(), "import", file.c_str(),
            static_cast<char*>(nullptr));
    ::_exit(127);
  }
  // Wait until the batch is writing (the WAL grows), then kill it hard.
  const fs::path wal = db_ + "-wal";
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
  bool writing = false;
  while (std::chrono::steady_clock::now() < deadline) {
    std::error_code ec;
    if (fs::exists(wal, ec) && fs::file_size(wal, ec) > (8u << 20)) {
      writing = true;
      break;
    }
    int status = 0;
    if (::waitpid(child, &status, WNOHANG) == child) break;  // finished too soon
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ASSERT_TRUE(writing) << "the import never reached the middle of its batch";
  ASSERT_EQ(::kill(child, SIGKILL), 0);
  int status = 0;
  ::waitpid(child, &status, 0);
  ASSERT_TRUE(WIFSIGNALED(status));

  {
    auto store = store::SqliteStore::Open(db_);
    ASSERT_TRUE(store.has_value()) << store.error().ToString();
    EXPECT_TRUE((*store)->ListBatches()->empty());
    EXPECT_EQ(*(*store)->CountPatients(), 0);
  }
  // And the same file imports completely afterwards.
  ShellResult retry = Shell(Ichigen("import --json " + file));
  ASSERT_EQ(retry.exit, 0) << retry.out;
  auto report = JsonLines(retry.out)[0];
  EXPECT_EQ(report["rows"], 400000);
  EXPECT_EQ(report["duplicate_file"], false);
  EXPECT_EQ(report["accepted"], 400000);
}

}  // namespace
}  // namespace ichigen
