#include "store/sqlite_audit_store.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "store/sqlite_account_store.h"
#include "store/sqlite_handle.h"

namespace ichigen::store {
namespace {

class SqliteAuditStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           (std::string("ichigen_audit_store_") +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    path_ = (dir_ / "ichigen.db").string();
    auto opened = SqliteAuditStore::Open(path_);
    ASSERT_TRUE(opened.has_value()) << opened.error().ToString();
    store_ = std::move(*opened);
  }
  void TearDown() override {
    store_.reset();
    std::filesystem::remove_all(dir_);
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

  std::filesystem::path dir_;
  std::string path_;
  std::unique_ptr<SqliteAuditStore> store_;
};

TEST_F(SqliteAuditStoreTest, AppendsAndReadsInSeqOrder) {
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

TEST_F(SqliteAuditStoreTest, RefusesUpdateAndDeleteUntilTheTriggerIsDropped) {
  ASSERT_TRUE(store_->Append(Entry(1)).has_value());
  auto db = OpenSqliteConnection(path_);
  ASSERT_TRUE(db.has_value());
  auto update = (*db)->Exec("UPDATE audit_log SET actor = 'mallory' WHERE seq = 1");
  ASSERT_FALSE(update.has_value());
  EXPECT_NE(update.error().context.find("append-only"), std::string::npos);
  EXPECT_FALSE((*db)->Exec("DELETE FROM audit_log").has_value());
  EXPECT_EQ((*store_->Last())->actor, "sato");

  ASSERT_TRUE((*db)->Exec("DROP TRIGGER audit_log_no_update").has_value());
  ASSERT_TRUE((*db)->Exec("UPDATE audit_log SET actor = 'mallory' WHERE seq = 1").has_value());
  EXPECT_EQ((*store_->Last())->actor, "mallory");
}

TEST_F(SqliteAuditStoreTest, ForEachPagesThroughManyEntries) {
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

}  // namespace
}  // namespace ichigen::store
