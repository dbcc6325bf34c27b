#include "audit/audit_log.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <set>
#include <thread>
#include <vector>
#include <sstream>

#include "audit/export.h"
#include "store/sqlite_account_store.h"
#include "store/sqlite_audit_store.h"
#include "store/sqlite_handle.h"

namespace ichigen::audit {
namespace {

class AuditLogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           (std::string("ichigen_audit_log_") +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    path_ = (dir_ / "ichigen.db").string();
    store_ = std::move(*store::SqliteAuditStore::Open(path_));
    auto log = AuditLog::Open(*store_, [this] { return now_; });
    ASSERT_TRUE(log.has_value());
    log_ = std::move(*log);
  }
  void TearDown() override {
    log_.reset();
    store_.reset();
    std::filesystem::remove_all(dir_);
  }
  void AppendMany(int n) {
    for (int i = 1; i <= n; ++i) {
      AuditEvent event{"sato", "operator", "patient.read", {"patient:" + std::to_string(i)},
                       "127.0.0.1", "療養支援", "{}"};
      ASSERT_EQ(*log_->Append(event), i);
      now_ += std::chrono::seconds(1);
    }
  }
  // Tampering as an attacker with file access would: drop the triggers first.
  void Tamper(const std::string& sql) {
    auto db = store::OpenSqliteConnection(path_);
    ASSERT_TRUE(db.has_value());
    ASSERT_TRUE((*db)->Exec("DROP TRIGGER IF EXISTS audit_log_no_update; "
                            "DROP TRIGGER IF EXISTS audit_log_no_delete").has_value());
    auto done = (*db)->Exec(sql);
    ASSERT_TRUE(done.has_value()) << done.error().ToString();
  }
  VerifyReport Check(const VerifyOptions& options = {}) {
    auto report = Verify(*store_, options);
    EXPECT_TRUE(report.has_value());
    return *report;
  }

  std::filesystem::path dir_;
  std::string path_;
  TimePoint now_ = *ParseIsoUtc("2024-05-01T09:00:00Z");
  std::unique_ptr<store::SqliteAuditStore> store_;
  std::unique_ptr<AuditLog> log_;
};

TEST_F(AuditLogTest, ChainsEntriesAndVerifies) {
  AppendMany(5);
  const VerifyReport report = Check();
  EXPECT_TRUE(report.ok);
  EXPECT_EQ(report.entries, 5);
  EXPECT_EQ(report.head_seq, 5);
  EXPECT_EQ(report.head_hash, log_->Head().second);
  auto first = store_->ForEach([](const store::AuditEntry& e) -> core::Status {
    if (e.seq == 1) {
      EXPECT_EQ(e.prev_hash, kGenesisHash);
      EXPECT_EQ(e.at, "2024-05-01T09:00:00.000Z");
      EXPECT_EQ(e.target_ids, "patient:1");
    }
    return core::Ok();
  });
  EXPECT_TRUE(first.has_value());
}

// Group commit: many threads at once still make one gap-free chain, and
// every caller gets its own seq.
TEST_F(AuditLogTest, ConcurrentAppendsFormOneChain) {
  constexpr int kThreads = 64;  // many waiters per batch, as under a server's load
  constexpr int kEach = 50;
  std::vector<std::vector<int64_t>> seqs(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) {
        AuditEvent event{"user" + std::to_string(t), "operator", "patient.read",
                         {"patient:" + std::to_string(i)}, "127.0.0.1", "", "{}"};
        auto seq = log_->Append(event);
        seqs[t].push_back(seq ? *seq : -1);
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  std::set<int64_t> all;
  for (const auto& own : seqs) {
    EXPECT_TRUE(std::is_sorted(own.begin(), own.end()));  // one caller's entries stay in order
    all.insert(own.begin(), own.end());
  }
  ASSERT_EQ(all.size(), size_t{kThreads * kEach});
  EXPECT_EQ(*all.begin(), 1);
  EXPECT_EQ(*all.rbegin(), kThreads * kEach);
  const VerifyReport report = Check();
  EXPECT_TRUE(report.ok);
  EXPECT_EQ(report.entries, kThreads * kEach);
  EXPECT_EQ(log_->Head().first, kThreads * kEach);
  EXPECT_EQ(log_->Head().second, report.head_hash);
}

// A batch the store refuses is stored not at all; the head stays, and the
// chain continues from it once the store accepts entries again.
TEST_F(AuditLogTest, AFailedAppendStoresNothingAndKeepsTheHead) {
  AppendMany(2);
  const auto head = log_->Head();
  Tamper("CREATE TRIGGER refuse BEFORE INSERT ON audit_log "
         "BEGIN SELECT RAISE(ABORT, 'refused'); END");
  AuditEvent event{"sato", "operator", "patient.read", {"patient:9"}, "127.0.0.1", "", "{}"};
  auto refused = log_->Append(event);
  ASSERT_FALSE(refused.has_value());
  EXPECT_EQ(log_->Head(), head);
  EXPECT_EQ(*store_->Count(), 2);
  Tamper("DROP TRIGGER refuse");
  EXPECT_EQ(*log_->Append(event), 3);
  EXPECT_TRUE(Check().ok);
}

TEST_F(AuditLogTest, ReopeningContinuesTheChain) {
  AppendMany(3);
  log_.reset();
  auto reopened = AuditLog::Open(*store_, [this] { return now_; });
  ASSERT_TRUE(reopened.has_value());
  EXPECT_EQ((*reopened)->Head().first, 3);
  EXPECT_EQ(*(*reopened)->Append({"ito", "admin", "user.add", {"user:2"}, "cli", "", "{}"}), 4);
  EXPECT_TRUE(Check().ok);
}

TEST_F(AuditLogTest, CatchesAnAlteredEntryAndSaysWhere) {
  AppendMany(6);
  Tamper("UPDATE audit_log SET target_ids = 'patient:999' WHERE seq = 4");
  const VerifyReport report = Check();
  EXPECT_FALSE(report.ok);
  ASSERT_EQ(report.problems.size(), 1u);
  EXPECT_EQ(report.problems[0].seq, 4);
  EXPECT_EQ(report.problems[0].kind, ProblemKind::kAltered);
}

TEST_F(AuditLogTest, CatchesARecomputedHashThroughTheNextLink) {
  AppendMany(6);
  // A careful attacker recomputes the altered entry's own hash; the next
  // entry's prev_hash still names the original.
  store::AuditEntry altered;
  ASSERT_TRUE(store_->ForEach([&](const store::AuditEntry& e) {
                      if (e.seq == 3) altered = e;
                      return core::Ok();
                    }).has_value());
  altered.actor = "mallory";
  const std::string hash = EntryHash(altered);
  Tamper("UPDATE audit_log SET actor = 'mallory', hash = '" + hash + "' WHERE seq = 3");
  const VerifyReport report = Check();
  EXPECT_FALSE(report.ok);
  ASSERT_FALSE(report.problems.empty());
  EXPECT_EQ(report.problems[0].seq, 4);
  EXPECT_EQ(report.problems[0].kind, ProblemKind::kBrokenLink);
}

TEST_F(AuditLogTest, CatchesARemovedEntry) {
  AppendMany(6);
  Tamper("DELETE FROM audit_log WHERE seq = 3");
  const VerifyReport report = Check();
  EXPECT_FALSE(report.ok);
  ASSERT_GE(report.problems.size(), 2u);
  EXPECT_EQ(report.problems[0].seq, 3);
  EXPECT_EQ(report.problems[0].kind, ProblemKind::kMissing);
  EXPECT_EQ(report.problems[1].seq, 4);
  EXPECT_EQ(report.problems[1].kind, ProblemKind::kBrokenLink);
}

TEST_F(AuditLogTest, CatchesReorderedEntries) {
  AppendMany(6);
  // Swap entries 2 and 3 by their seq numbers.
  Tamper("UPDATE audit_log SET seq = -2 WHERE seq = 2; "
         "UPDATE audit_log SET seq = 2 WHERE seq = 3; "
         "UPDATE audit_log SET seq = 3 WHERE seq = -2");
  const VerifyReport report = Check();
  EXPECT_FALSE(report.ok);
  bool reordered_at_3 = false;
  bool altered_at_2 = false;
  for (const VerifyProblem& problem : report.problems) {
    if (problem.seq == 3 && problem.kind == ProblemKind::kReordered) reordered_at_3 = true;
    if (problem.seq == 2 && problem.kind == ProblemKind::kAltered) altered_at_2 = true;
  }
  EXPECT_TRUE(reordered_at_3);
  EXPECT_TRUE(altered_at_2);
}

TEST_F(AuditLogTest, AnAnchorCatchesRemovedNewestEntries) {
  AppendMany(5);
  const auto head = log_->Head();
  Tamper("DELETE FROM audit_log WHERE seq = 5");
  EXPECT_TRUE(Check().ok);  // a shorter chain is still a chain
  VerifyOptions options;
  options.anchor = head;
  const VerifyReport report = Check(options);
  EXPECT_FALSE(report.ok);
  ASSERT_EQ(report.problems.size(), 1u);
  EXPECT_EQ(report.problems[0].kind, ProblemKind::kAnchor);
  EXPECT_EQ(report.problems[0].seq, 5);
}

TEST_F(AuditLogTest, ExportsJsonLinesAndCsv) {
  AppendMany(3);
  std::ostringstream jsonl;
  ASSERT_EQ(*ExportAudit(*store_, ExportFormat::kJsonLines, jsonl), 3);
  EXPECT_NE(jsonl.str().find("\"seq\":2"), std::string::npos);
  EXPECT_NE(jsonl.str().find("\"purpose\":\"療養支援\""), std::string::npos);
  std::ostringstream csv;
  ASSERT_EQ(*ExportAudit(*store_, ExportFormat::kCsv, csv), 3);
  EXPECT_EQ(csv.str().rfind("\xEF\xBB\xBFseq,at,actor", 0), 0u);
  EXPECT_EQ(ParseExportFormat("xml").error().code, core::Code::kInvalidArgument);
}

}  // namespace
}  // namespace ichigen::audit
