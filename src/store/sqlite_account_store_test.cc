// The account store's contract, run against SQLite and PostgreSQL (see
// store/pg_test_env.h for the server).
#include "store/sqlite_account_store.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "store/pg_test_env.h"
#include "store/postgres_account_store.h"
#include "store/postgres_store.h"
#include "store/sqlite_store.h"

namespace ichigen::store {
namespace {

enum class StoreKind { kSqlite, kPostgres };

class AccountStoreContractTest : public ::testing::TestWithParam<StoreKind> {
 protected:
  void SetUp() override {
    std::string name = ::testing::UnitTest::GetInstance()->current_test_info()->name();
    name = name.substr(name.find('/') + 1);
    name = name.substr(0, name.find('/'));
    dir_ = std::filesystem::temp_directory_path() /
           ("ichigen_accounts_" + std::to_string(::getpid()) + "_" + name +
            (GetParam() == StoreKind::kPostgres ? "_pg" : ""));
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    if (GetParam() == StoreKind::kPostgres) {
      server_ = FindPgTestServer();
      if (!server_.available()) {
        if (server_.required) FAIL() << server_.why;
        GTEST_SKIP() << server_.why;
      }
      auto fresh = FreshPgDatabase(server_.conninfo, "accounts_" + name);
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
  core::Result<std::unique_ptr<AccountStore>> OpenStore() const {
    if (GetParam() == StoreKind::kPostgres) {
      ASSIGN_OR_RETURN(auto opened, PostgresAccountStore::Open(path_));
      return std::unique_ptr<AccountStore>(std::move(opened));
    }
    ASSIGN_OR_RETURN(auto opened, SqliteAccountStore::Open(path_));
    return std::unique_ptr<AccountStore>(std::move(opened));
  }
  core::Result<std::unique_ptr<Store>> OpenCoreStore() const {
    if (GetParam() == StoreKind::kPostgres) {
      ASSIGN_OR_RETURN(auto opened, PostgresStore::Open(path_));
      return std::unique_ptr<Store>(std::move(opened));
    }
    ASSIGN_OR_RETURN(auto opened, SqliteStore::Open(path_));
    return std::unique_ptr<Store>(std::move(opened));
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

  PgTestServer server_;
  std::filesystem::path dir_;
  std::string path_;  // SQLite file or PostgreSQL conninfo
  std::unique_ptr<AccountStore> store_;
};

INSTANTIATE_TEST_SUITE_P(Stores, AccountStoreContractTest,
                         ::testing::Values(StoreKind::kSqlite, StoreKind::kPostgres),
                         [](const ::testing::TestParamInfo<StoreKind>& info) {
                           return info.param == StoreKind::kSqlite ? "SQLite" : "PostgreSQL";
                         });

TEST_P(AccountStoreContractTest, CreatesFindsAndUpdatesUsers) {
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

TEST_P(AccountStoreContractTest, SessionsLiveAndExpire) {
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

TEST_P(AccountStoreContractTest, TokensAreRevocable) {
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

TEST_P(AccountStoreContractTest, SharesTheFileWithTheCoreStore) {
  auto core = OpenCoreStore();
  ASSERT_TRUE(core.has_value()) << core.error().ToString();
  EXPECT_GE(*(*core)->SchemaVersion(), 1);
  ASSERT_TRUE(store_->CreateUser(User("kato")).has_value());
  // Reopening applies no migration twice.
  store_.reset();
  auto reopened = OpenStore();
  ASSERT_TRUE(reopened.has_value()) << reopened.error().ToString();
  EXPECT_EQ(*(*reopened)->CountUsers(), 1);
}

}  // namespace
}  // namespace ichigen::store
