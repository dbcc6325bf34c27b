#include "store/sqlite_account_store.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "store/sqlite_store.h"

namespace ichigen::store {
namespace {

class SqliteAccountStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("ichigen_accounts_" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) +
            "_" + ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    path_ = (dir_ / "ichigen.db").string();
    auto opened = SqliteAccountStore::Open(path_);
    ASSERT_TRUE(opened.has_value()) << opened.error().ToString();
    store_ = std::move(*opened);
  }
  void TearDown() override {
    store_.reset();
    std::filesystem::remove_all(dir_);
  }

  UserRecord User(const std::string& login) {
    UserRecord u;
    u.login = login;
    u.display_name = "表示 " + login;
    u.role = "operator";
    u.password_hash = "$argon2id$fake";
    u.created_at = "2024-05-01T00:00:00Z";
    return u;
  }

  std::filesystem::path dir_;
  std::string path_;
  std::unique_ptr<SqliteAccountStore> store_;
};

TEST_F(SqliteAccountStoreTest, CreatesFindsAndUpdatesUsers) {
  auto id = store_->CreateUser(User("sato"));
  ASSERT_TRUE(id.has_value()) << id.error().ToString();
  auto again = store_->CreateUser(User("sato"));
  ASSERT_FALSE(again.has_value());
  EXPECT_EQ(again.error().code, core::Code::kAlreadyExists);

  auto found = store_->FindUserByLogin("sato");
  ASSERT_TRUE(found.has_value() && found->has_value());
  EXPECT_EQ((*found)->id, *id);
  EXPECT_EQ((*found)->display_name, "表示 sato");
  EXPECT_FALSE((*found)->disabled);

  UserRecord changed = **found;
  changed.disabled = true;
  changed.failed_attempts = 3;
  changed.locked_until = "2024-05-01T00:15:00Z";
  changed.scope = "141003";
  ASSERT_TRUE(store_->UpdateUser(changed).has_value());
  auto reread = store_->GetUser(*id);
  ASSERT_TRUE(reread.has_value() && reread->has_value());
  EXPECT_TRUE((*reread)->disabled);
  EXPECT_EQ((*reread)->failed_attempts, 3);
  EXPECT_EQ((*reread)->locked_until, "2024-05-01T00:15:00Z");
  EXPECT_EQ((*reread)->scope, "141003");

  UserRecord ghost = changed;
  ghost.id = 999;
  auto missing = store_->UpdateUser(ghost);
  ASSERT_FALSE(missing.has_value());
  EXPECT_EQ(missing.error().code, core::Code::kNotFound);
  EXPECT_EQ(*store_->CountUsers(), 1);
  EXPECT_FALSE(store_->FindUserByLogin("nobody")->has_value());
}

TEST_F(SqliteAccountStoreTest, SessionsLiveAndExpire) {
  const int64_t user = *store_->CreateUser(User("ito"));
  SessionRecord s{"hash-a", user, "csrf", "2024-05-01T00:00:00Z", "2024-05-01T00:00:00Z",
                  "2024-05-01T08:00:00Z"};
  ASSERT_TRUE(store_->CreateSession(s).has_value());
  SessionRecord s2{"hash-b", user, "csrf2", "2024-05-01T00:00:00Z", "2024-05-01T00:00:00Z",
                   "2024-05-01T12:00:00Z"};
  ASSERT_TRUE(store_->CreateSession(s2).has_value());
  ASSERT_TRUE(store_->TouchSession("hash-a", "2024-05-01T01:00:00Z").has_value());
  auto found = store_->FindSession("hash-a");
  ASSERT_TRUE(found.has_value() && found->has_value());
  EXPECT_EQ((*found)->csrf_token, "csrf");
  EXPECT_EQ((*found)->last_seen_at, "2024-05-01T01:00:00Z");

  ASSERT_TRUE(store_->DeleteExpiredSessions("2024-05-01T09:00:00Z").has_value());
  EXPECT_FALSE(store_->FindSession("hash-a")->has_value());
  EXPECT_TRUE(store_->FindSession("hash-b")->has_value());
  ASSERT_TRUE(store_->DeleteSessionsOfUser(user).has_value());
  EXPECT_FALSE(store_->FindSession("hash-b")->has_value());
}

TEST_F(SqliteAccountStoreTest, TokensAreRevocable) {
  const int64_t user = *store_->CreateUser(User("system"));
  ApiTokenRecord t;
  t.token_hash = "th";
  t.user_id = user;
  t.name = "bench";
  t.scope = "read";
  t.created_at = "2024-05-01T00:00:00Z";
  auto id = store_->CreateToken(t);
  ASSERT_TRUE(id.has_value());
  ASSERT_TRUE(store_->TouchToken(*id, "2024-05-02T00:00:00Z").has_value());
  auto found = store_->FindToken("th");
  ASSERT_TRUE(found.has_value() && found->has_value());
  EXPECT_EQ((*found)->scope, "read");
  EXPECT_EQ((*found)->last_used_at, "2024-05-02T00:00:00Z");
  EXPECT_FALSE((*found)->revoked);
  ASSERT_TRUE(store_->RevokeToken(*id).has_value());
  EXPECT_TRUE((*store_->FindToken("th"))->revoked);
  EXPECT_EQ(store_->RevokeToken(12345).error().code, core::Code::kNotFound);
  EXPECT_EQ(store_->ListTokens(user)->size(), 1u);
  EXPECT_EQ(store_->ListTokens(user + 1)->size(), 0u);
}

TEST_F(SqliteAccountStoreTest, SharesTheFileWithTheCoreStore) {
  auto core = SqliteStore::Open(path_);
  ASSERT_TRUE(core.has_value()) << core.error().ToString();
  EXPECT_GE(*(*core)->SchemaVersion(), 1);
  ASSERT_TRUE(store_->CreateUser(User("kato")).has_value());
  // Reopening applies no migration twice.
  store_.reset();
  auto reopened = SqliteAccountStore::Open(path_);
  ASSERT_TRUE(reopened.has_value()) << reopened.error().ToString();
  EXPECT_EQ(*(*reopened)->CountUsers(), 1);
}

}  // namespace
}  // namespace ichigen::store
