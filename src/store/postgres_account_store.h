// PostgresAccountStore: AccountStore in the PostgreSQL database of the main
// store (migration track 1000–1999, the same versions as SqliteAccountStore's).
// SQLite keeps accounts in a companion file so that log-ins never wait behind
// an import's write lock; PostgreSQL locks rows, not the database, so they
// live beside the patients and every server sees the same users and sessions.
// Thread-safety: thread-safe; every call holds mu_, which guards the connection.
#pragma once

#include <memory>
#include <mutex>
#include <span>
#include <string>

#include "store/account_store.h"
#include "store/sqlite_store.h"  // struct Migration

namespace ichigen::store {

class PgConn;
class PgParams;
class PgResult;

class PostgresAccountStore final : public AccountStore {
 public:
  static core::Result<std::unique_ptr<PostgresAccountStore>> Open(const std::string& conninfo);
  ~PostgresAccountStore() override;

  core::Result<int64_t> CreateUser(const UserRecord& user) override;
  core::Result<std::optional<UserRecord>> FindUserByLogin(const std::string& login) override;
  core::Result<std::optional<UserRecord>> GetUser(int64_t id) override;
  core::Result<std::vector<UserRecord>> ListUsers() override;
  core::Result<int64_t> CountUsers() override;
  core::Status UpdateUser(const UserRecord& user) override;

  core::Status CreateSession(const SessionRecord& session) override;
  core::Result<std::optional<SessionRecord>> FindSession(const std::string& id_hash) override;
  core::Status TouchSession(const std::string& id_hash, const std::string& last_seen_at) override;
  core::Status DeleteSession(const std::string& id_hash) override;
  core::Status DeleteSessionsOfUser(int64_t user_id) override;
  core::Status DeleteExpiredSessions(const std::string& now) override;

  core::Result<int64_t> CreateToken(const ApiTokenRecord& token) override;
  core::Result<std::optional<ApiTokenRecord>> FindToken(const std::string& token_hash) override;
  core::Result<std::vector<ApiTokenRecord>> ListTokens(std::optional<int64_t> user_id) override;
  core::Status TouchToken(int64_t id, const std::string& last_used_at) override;
  core::Status RevokeToken(int64_t id) override;
  core::Status RevokeTokensOfUser(int64_t user_id) override;

 private:
  explicit PostgresAccountStore(std::unique_ptr<PgConn> conn);
  // Runs a statement under mu_.
  core::Result<PgResult> Run(const std::string& sql, const PgParams& params);

  std::mutex mu_;
  std::unique_ptr<PgConn> conn_;  // guarded by mu_
};

// The accounts track in PostgreSQL's dialect; exposed for tests.
std::span<const Migration> PostgresAccountMigrations();

}  // namespace ichigen::store
