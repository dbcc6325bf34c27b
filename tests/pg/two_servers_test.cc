// Two servers on one PostgreSQL database: each has its own stores (its own
// connections), imports its own file while the other imports, readers search
// meanwhile, and both append to the audit trail from several threads. Nothing
// is lost (the same patients as the two files imported one after the other
// into SQLite), and the audit trail is one chain that verifies.
#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <set>
#include <thread>

#include "audit/audit_log.h"
#include "intake/importer.h"
#include "store/pg_test_env.h"
#include "store/postgres_audit_store.h"
#include "store/postgres_store.h"
#include "store/sqlite_store.h"

namespace ichigen {
namespace {

constexpr const char* kHeader =
    "HER-SYSID,届出年月日,患者氏名,フリガナ,性別,生年月日,年齢,郵便番号,現住所,"
    "全国地方公共団体コード,連絡先,職業,発症日,診断日,医療機関名,保健所,重症度,療養状況,"
    "療養開始日,情報提供同意";

// A HER-SYS export (UTF-8) of patients first_id … first_id + count - 1.
void WriteHersys(const std::filesystem::path& path, int64_t first_id, int count) {
  static const char* kFamily[] = {"中村", "佐藤", "鈴木", "高橋", "田中"};
  static const char* kFamilyKana[] = {"なかむら", "さとう", "すずき", "たかはし", "たなか"};
  static const char* kGiven[] = {"一郎", "花子", "三郎", "春恵", "修"};
  static const char* kGivenKana[] = {"いちろう", "はなこ", "さぶろう", "はるえ", "おさむ"};
  std::ofstream out(path, std::ios::binary);
  out << kHeader << "\r\n";
  for (int i = 0; i < count; ++i) {
    const int64_t id = first_id + i;
    const int f = static_cast<int>(id % 5);
    const int g = static_cast<int>((id / 5) % 5);
    const int year = 1940 + static_cast<int>(id % 60);
    const int month = 1 + static_cast<int>(id % 12);
    const int day = 1 + static_cast<int>(id % 28);
    char birth[16];
    std::snprintf(birth, sizeof birth, "%04d/%02d/%02d", year, month, day);
    char phone[20];
    std::snprintf(phone, sizeof phone, "090-%04d-%04d", static_cast<int>(id % 10000),
                  static_cast<int>((id / 10000) % 10000));
    out << id << ",20220728," << kFamily[f] << kGiven[g] << "," << kFamilyKana[f] << " "
        << kGivenKana[g] << "," << (g % 2 == 0 ? 1 : 2) << "," << birth << ","
        << (2022 - year) << "歳,231-0023,横浜市中区山下町" << (1 + id % 200) << "番地,141046,"
        << phone << ",会社員,20220726,20220728,みなと病院,中区福祉保健センター,軽症,自宅療養中,"
        << "20220728,○\r\n";
  }
}

class TwoServersTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto context = intake::IntakeContext::Load();
    ASSERT_TRUE(context.has_value()) << context.error().ToString();
    context_ = new intake::IntakeContext(std::move(*context));
  }
  static void TearDownTestSuite() {
    delete context_;
    context_ = nullptr;
  }
  void SetUp() override {
    server_ = store::FindPgTestServer();
    if (!server_.available()) {
      if (server_.required) FAIL() << server_.why;
      GTEST_SKIP() << server_.why;
    }
    auto fresh = store::FreshPgDatabase(server_.conninfo, "two_servers");
    ASSERT_TRUE(fresh.has_value()) << fresh.error().ToString();
    database_ = *fresh;
    dir_ = std::filesystem::temp_directory_path() /
           ("ichigen_two_servers_" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override {
    if (!database_.empty()) store::DropPgDatabase(server_.conninfo, database_);
    std::filesystem::remove_all(dir_);
  }

  static intake::IntakeContext* context_;
  store::PgTestServer server_;
  std::string database_;
  std::filesystem::path dir_;
};

intake::IntakeContext* TwoServersTest::context_ = nullptr;

// One server: its own store for imports, its own audit store and log.
struct Server {
  std::unique_ptr<store::Store> store;
  std::unique_ptr<store::AuditStore> audit_store;
  std::unique_ptr<audit::AuditLog> audit;
};

core::Result<Server> StartServer(const std::string& conninfo) {
  Server server;
  ASSIGN_OR_RETURN(auto store, store::PostgresStore::Open(conninfo));
  server.store = std::move(store);
  ASSIGN_OR_RETURN(auto audit_store, store::PostgresAuditStore::Open(conninfo));
  server.audit_store = std::move(audit_store);
  ASSIGN_OR_RETURN(server.audit, audit::AuditLog::Open(*server.audit_store, audit::SystemClock()));
  return server;
}

TEST_F(TwoServersTest, ConcurrentImportsReadsAndAuditLoseNothing) {
  const auto file_a = dir_ / "a.csv";
  const auto file_b = dir_ / "b.csv";
  WriteHersys(file_a, 2000000, 1500);
  WriteHersys(file_b, 2001000, 1500);  // 500 patients in both files

  // Both servers start together on the new database (migrations race).
  core::Result<Server> a = core::Fail(core::Code::kInternal, "", "");
  core::Result<Server> b = core::Fail(core::Code::kInternal, "", "");
  {
    std::thread ta([&] { a = StartServer(database_); });
    std::thread tb([&] { b = StartServer(database_); });
    ta.join();
    tb.join();
  }
  ASSERT_TRUE(a.has_value()) << a.error().ToString();
  ASSERT_TRUE(b.has_value()) << b.error().ToString();

  intake::ImportOptions options;
  options.today = *core::Date::ParseIso("2022-08-10");
  std::atomic<int> audit_failures{0};
  std::atomic<int> audit_appended{0};
  std::atomic<int> reads{0};
  core::Result<intake::ImportReport> report_a = core::Fail(core::Code::kInternal, "", "");
  core::Result<intake::ImportReport> report_b = core::Fail(core::Code::kInternal, "", "");
  std::vector<std::thread> threads;
  threads.emplace_back([&] {
    intake::Importer importer(*a->store, *context_);
    report_a = importer.ImportFile(file_a.string(), options);
  });
  threads.emplace_back([&] {
    intake::Importer importer(*b->store, *context_);
    report_b = importer.ImportFile(file_b.string(), options);
  });
  // Each server's request threads: audited reads on their own connections.
  for (Server* server : {&*a, &*b}) {
    for (int t = 0; t < 3; ++t) {
      threads.emplace_back([&, server, t] {
        auto reader = store::PostgresStore::Open(database_);
        if (!reader) {
          audit_failures += 1000;
          return;
        }
        for (int i = 0; i < 60; ++i) {
          auto page = (*reader)->SearchPatients({.name_prefix = "中村"});
          if (page) ++reads;
          audit::AuditEvent event{.actor = "operator" + std::to_string(t),
                                  .role = "operator",
                                  .action = "patient.search",
                                  .targets = {"patient:" + std::to_string(i)},
                                  .remote = "127.0.0.1",
                                  .purpose = "業務"};
          // audit::AuditLog re-chains when another server took its seq: the
          // caller never sees the race.
          auto appended = server->audit->Append(event);
          if (appended) {
            ++audit_appended;
          } else {
            ++audit_failures;
          }
        }
      });
    }
  }
  for (std::thread& t : threads) t.join();

  ASSERT_TRUE(report_a.has_value()) << report_a.error().ToString();
  ASSERT_TRUE(report_b.has_value()) << report_b.error().ToString();
  EXPECT_EQ(report_a->rows, 1500);
  EXPECT_EQ(report_b->rows, 1500);
  EXPECT_EQ(reads.load(), 360);

  // The same two files one after the other into SQLite: the reference.
  auto sqlite = store::SqliteStore::Open((dir_ / "reference.db").string());
  ASSERT_TRUE(sqlite.has_value());
  {
    intake::Importer importer(**sqlite, *context_);
    ASSERT_TRUE(importer.ImportFile(file_a.string(), options).has_value());
    ASSERT_TRUE(importer.ImportFile(file_b.string(), options).has_value());
  }
  auto ids = [](store::Store& s) {
    std::set<std::string> out;
    EXPECT_TRUE(s.ForEachPatient([&](const store::PatientRecord& p) {
                   out.insert(p.hersys_id);
                   return core::Ok();
                 }).has_value());
    return out;
  };
  const std::set<std::string> expected = ids(**sqlite);
  EXPECT_EQ(expected.size(), 2500u);
  EXPECT_EQ(ids(*a->store), expected);
  EXPECT_EQ(*a->store->CountPatients(), 2500);
  EXPECT_EQ(a->store->ListBatches()->size(), 2u);

  // Every audited read is in the trail, as one chain.
  EXPECT_EQ(audit_failures.load(), 0);
  auto verified = audit::Verify(*a->audit_store);
  ASSERT_TRUE(verified.has_value()) << verified.error().ToString();
  EXPECT_TRUE(verified->ok) << (verified->problems.empty() ? "" : verified->problems[0].message_en);
  EXPECT_EQ(verified->entries, audit_appended.load());
  EXPECT_EQ(audit_appended.load(), 360);
}

}  // namespace
}  // namespace ichigen
