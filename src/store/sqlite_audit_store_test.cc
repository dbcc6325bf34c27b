// The audit store's contract, run against SQLite and PostgreSQL (see
// store/pg_test_env.h for the server).
#include "store/sqlite_audit_store.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "store/pg_handle.h"
#include "store/pg_test_env.h"
#include "store/postgres_audit_store.h"
#include "store/sqlite_account_store.h"
#include "store/sqlite_handle.h"

namespace ichigen::store {
namespace {

enum class StoreKind { kSqlite, kPostgres };

class AuditStoreContractTest : public ::testing::TestWithParam<StoreKind> {
 protected:
  void SetUp() override {
    std::string name = ::testing::UnitTest::GetInstance()->current_test_info()->name();
    name = name.substr(name.find('/') + 1);
    name = name.substr(0, name.find('/'));
    dir_ = std::filesystem::temp_directory_path() /
           (std::string("ichigen_audit_store_") + std::to_string(::getpid()) + "_" + name +
            (GetParam() == StoreKind::kPostgres ? "_pg" : ""));
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    if (GetParam() == StoreKind::kPostgres) {
      server_ = FindPgTestServer();
      if (!server_.available()) {
        if (server_.required) FAIL() << server_.why;
        GTEST_SKIP() << server_.why;
      }
      auto fresh = FreshPgDatabase(server_.conninfo, "audit_" + name);
      ASSERT_TRUE(fresh.has_value()) << fresh.error().ToString();
      path_ = *fresh;
    } else {
      path_ = (dir_ / "ichigen.db").string();
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
  core::Result<std::unique_ptr<AuditStore>> OpenStore() const {
    if (GetParam() == StoreKind::kPostgres) {
      ASSIGN_OR_RETURN(auto opened, PostgresAuditStore::Open(path_));
      return std::unique_ptr<AuditStore>(std::move(opened));
    }
    ASSIGN_OR_RETURN(auto opened, SqliteAuditStore::Open(path_));
    return std::unique_ptr<AuditStore>(std::move(opened));
  }
  // SQL past the store, as someone with direct access to the database.
  core::Status RawExec(const std::string& sql) const {
    if (GetParam() == StoreKind::kPostgres) {
      ASSIGN_OR_RETURN(auto conn, PgConn::Connect(path_));
      return conn->Exec(sql);
    }
    ASSIGN_OR_RETURN(auto db, OpenSqliteConnection(path_));
    return db->Exec(sql);
  }
  static AuditEntry Entry(int64_t seq) {
    AuditEntry e;
    e.seq = seq;
    e.at = "2024-05-01T00:00:00.000Z";
    e.actor = "sato";
    e.role = "operator";
    e.action = "patient.read";
    e.target_ids = "patient:" + std::to_string(seq);
    e.remote = "127.0.0.1";
    e.purpose = "業務";
    e.details = "{}";
    e.prev_hash = "p";
    e.hash = "h" + std::to_string(seq);
    return e;
  }

  PgTestServer server_;
  std::filesystem::path dir_;
  std::string path_;  // SQLite file or PostgreSQL conninfo
  std::unique_ptr<AuditStore> store_;
};

INSTANTIATE_TEST_SUITE_P(Stores, AuditStoreContractTest,
                         ::testing::Values(StoreKind::kSqlite, StoreKind::kPostgres),
                         [](const ::testing::TestParamInfo<StoreKind>& info) {
                           return info.param == StoreKind::kSqlite ? "SQLite" : "PostgreSQL";
                         });

TEST_P(AuditStoreContractTest, AppendsAndReadsInSeqOrder) {
  EXPECT_FALSE(store_->Last()->has_value());
  ASSERT_TRUE(store_->Append(Entry(2)).has_value());
  ASSERT_TRUE(store_->Append(Entry(1)).has_value());
  auto duplicate = store_->Append(Entry(1));
  ASSERT_FALSE(duplicate.has_value());
  EXPECT_EQ(duplicate.error().code, core::Code::kAlreadyExists);
  std::vector<int64_t> seqs;
  ASSERT_TRUE(store_->ForEach([&](const AuditEntry& e) {
                      seqs.push_back(e.seq);
                      return core::Ok();
                    }).has_value());
  EXPECT_EQ(seqs, (std::vector<int64_t>{1, 2}));
  EXPECT_EQ(*store_->Count(), 2);
  EXPECT_EQ((*store_->Last())->hash, "h2");
}

TEST_P(AuditStoreContractTest, RefusesUpdateAndDeleteUntilTheTriggerIsDropped) {
  ASSERT_TRUE(store_->Append(Entry(1)).has_value());
  auto update = RawExec("UPDATE audit_log SET actor = 'mallory' WHERE seq = 1");
  ASSERT_FALSE(update.has_value());
  EXPECT_NE(update.error().context.find("append-only"), std::string::npos);
  EXPECT_FALSE(RawExec("DELETE FROM audit_log").has_value());
  EXPECT_EQ((*store_->Last())->actor, "sato");

  ASSERT_TRUE(RawExec(GetParam() == StoreKind::kPostgres
                          ? "DROP TRIGGER audit_log_no_update ON audit_log"
                          : "DROP TRIGGER audit_log_no_update")
                  .has_value());
  ASSERT_TRUE(RawExec("UPDATE audit_log SET actor = 'mallory' WHERE seq = 1").has_value());
  EXPECT_EQ((*store_->Last())->actor, "mallory");
}

TEST_P(AuditStoreContractTest, ForEachPagesThroughManyEntries) {
  for (int64_t seq = 1; seq <= 4500; ++seq) ASSERT_TRUE(store_->Append(Entry(seq)).has_value());
  int64_t expected = 1;
  ASSERT_TRUE(store_->ForEach([&](const AuditEntry& e) -> core::Status {
                      if (e.seq != expected) {
                        return core::Fail(core::Code::kInternal, "order", "order");
                      }
                      ++expected;
                      return core::Ok();
                    }).has_value());
  EXPECT_EQ(expected, 4501);
}

// A batch is all or nothing: one taken seq stores none of it.
TEST_P(AuditStoreContractTest, ABatchWithATakenSeqStoresNothing) {
  ASSERT_TRUE(store_->Append(Entry(2)).has_value());
  const std::vector<AuditEntry> batch = {Entry(1), Entry(2), Entry(3)};
  auto appended = store_->AppendBatch(batch);
  ASSERT_FALSE(appended.has_value());
  EXPECT_EQ(appended.error().code, core::Code::kAlreadyExists);
  EXPECT_EQ(*store_->Count(), 1);
  // The store is usable afterwards (no transaction left open).
  const std::vector<AuditEntry> next = {Entry(3), Entry(4)};
  ASSERT_TRUE(store_->AppendBatch(next).has_value());
  EXPECT_EQ(*store_->Count(), 3);
}

}  // namespace
}  // namespace ichigen::store
