#include "api/account_service.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "core/sha256.h"
#include "store/sqlite_account_store.h"

namespace ichigen::api {
namespace {

class AccountServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           (std::string("ichigen_accounts_svc_") +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    store_ = std::move(*store::SqliteAccountStore::Open((dir_ / "a.db").string()));
    AccountPolicy policy;
    policy.max_failures = 3;
    policy.throttle_per_login = 10;
    policy.session_idle = std::chrono::minutes(30);
    service_ = std::make_unique<AccountService>(*store_, [this] { return now_; }, random_,
                                                PasswordParams::Minimum(), policy);
    ASSERT_TRUE(service_->AddUser("sato", Role::kOperator, "", "佐藤", "sato-password").has_value());
  }
  void TearDown() override {
    service_.reset();
    store_.reset();
    std::filesystem::remove_all(dir_);
  }

  std::filesystem::path dir_;
  audit::TimePoint now_ = *audit::ParseIsoUtc("2024-05-01T09:00:00Z");
  SodiumRandom random_;
  std::unique_ptr<store::SqliteAccountStore> store_;
  std::unique_ptr<AccountService> service_;
};

TEST_F(AccountServiceTest, SessionsStoreOnlyHashesAndExpireWhenIdle) {
  auto login = service_->Login("sato", "sato-password", "10.0.0.1");
  ASSERT_TRUE(login.has_value()) << login.error().ToString();
  EXPECT_EQ(login->session_token.size(), 64u);
  EXPECT_FALSE(store_->FindSession(login->session_token)->has_value());  // never stored as is
  EXPECT_TRUE(store_->FindSession(core::Sha256Hex(login->session_token))->has_value());
  auto who = service_->AuthenticateSession(login->session_token);
  ASSERT_TRUE(who.has_value());
  EXPECT_EQ(who->login, "sato");
  EXPECT_EQ(who->csrf_token, login->csrf_token);
  now_ += std::chrono::minutes(31);
  EXPECT_EQ(service_->AuthenticateSession(login->session_token).error().code,
            core::Code::kUnauthenticated);
}

TEST_F(AccountServiceTest, LocksAfterRepeatedFailuresUntilTheLockPasses) {
  EXPECT_EQ(service_->Login("sato", "nope-nope-nope", "a").error().code, core::Code::kUnauthenticated);
  EXPECT_EQ(service_->Login("sato", "nope-nope-nope", "a").error().code, core::Code::kUnauthenticated);
  EXPECT_EQ(service_->Login("sato", "nope-nope-nope", "a").error().code, core::Code::kPermissionDenied);
  EXPECT_EQ(service_->Login("sato", "sato-password", "a").error().code, core::Code::kPermissionDenied);
  now_ += std::chrono::minutes(16);
  EXPECT_TRUE(service_->Login("sato", "sato-password", "a").has_value());
  EXPECT_EQ((*store_->FindUserByLogin("sato"))->failed_attempts, 0);
}

TEST_F(AccountServiceTest, TokensAreHashedScopedAndRevocable) {
  auto user = *service_->GetUserByLogin("sato");
  auto issued = service_->IssueToken(user.id, "system", "read");
  ASSERT_TRUE(issued.has_value());
  EXPECT_EQ(issued->token.rfind("ich_", 0), 0u);
  EXPECT_NE(issued->record.token_hash, issued->token);
  auto who = service_->AuthenticateBearer(issued->token);
  ASSERT_TRUE(who.has_value());
  EXPECT_TRUE(who->token_read_only);
  EXPECT_EQ(service_->IssueToken(user.id, "x", "admin").error().code, core::Code::kInvalidArgument);
  ASSERT_TRUE(service_->RevokeToken(*who, issued->record.id).has_value());
  EXPECT_FALSE(service_->AuthenticateBearer(issued->token).has_value());
}

// The auth cache: a change made behind the service's back (another process
// revoking in the store) takes effect once auth_cache_ttl has passed; the
// session's idle limit is still checked on a cached hit.
TEST_F(AccountServiceTest, CachedChecksExpireAfterTheirTtl) {
  auto user = *service_->GetUserByLogin("sato");
  auto issued = *service_->IssueToken(user.id, "system", "full");
  ASSERT_TRUE(service_->AuthenticateBearer(issued.token).has_value());
  ASSERT_TRUE(store_->RevokeToken(issued.record.id).has_value());
  EXPECT_TRUE(service_->AuthenticateBearer(issued.token).has_value());  // within the TTL
  now_ += service_->policy().auth_cache_ttl + std::chrono::milliseconds(1);
  EXPECT_EQ(service_->AuthenticateBearer(issued.token).error().code,
            core::Code::kUnauthenticated);

  auto login = *service_->Login("sato", "sato-password", "a");
  ASSERT_TRUE(service_->AuthenticateSession(login.session_token).has_value());
  now_ += std::chrono::minutes(31);  // past session_idle
  EXPECT_FALSE(service_->AuthenticateSession(login.session_token).has_value());
}

TEST_F(AccountServiceTest, DisablingEndsSessionsAndScopesAreChecked) {
  auto login = *service_->Login("sato", "sato-password", "a");
  ASSERT_TRUE(service_->SetDisabled("sato", true).has_value());
  EXPECT_FALSE(service_->AuthenticateSession(login.session_token).has_value());
  EXPECT_FALSE(service_->Login("sato", "sato-password", "a").has_value());
  EXPECT_EQ(service_->AddUser("m", Role::kMunicipality, "131017", "", "long-password").error().code,
            core::Code::kInvalidArgument);  // wrong check digit
  EXPECT_TRUE(service_->AddUser("m", Role::kMunicipality, "131016", "", "long-password").has_value());
  EXPECT_EQ(service_->AddUser("../x", Role::kOperator, "", "", "long-password").error().code,
            core::Code::kInvalidArgument);
}

}  // namespace
}  // namespace ichigen::api
