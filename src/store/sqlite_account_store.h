// SqliteAccountStore: AccountStore on its own SQLite connection. It applies
// the accounts migration track (versions 1000–1999) on open.
//
// Where it lives: the composition root opens it (and SqliteAuditStore) on
// the companion file AccountsDbPath(db) = "<db>.accounts.db" beside the main
// database, not on the main file. SQLite has one writer per file: an import
// holds the main file's write lock for the whole batch, and log-ins, session
// touches and audit appends written there would wait behind it (and fail
// after the busy timeout). Every write to the main file also makes every
// other connection drop its page cache on its next read, so per-request
// audit writes there would also slow every patient read. The companion file
// has its own lock and journal; accounts and the audit trail never join a
// transaction with patient data, so nothing needs the two files to commit
// together.
// Thread-safety: thread-safe; every call holds mu_, which guards the
// connection.
#pragma once

#include <memory>
#include <mutex>
#include <span>
#include <string>

#include "store/account_store.h"
#include "store/sqlite_store.h"

namespace ichigen::store {

class SqliteDb;

class SqliteAccountStore final : public AccountStore {
 public:
  static core::Result<std::unique_ptr<SqliteAccountStore>> Open(const std::string& path);
  ~SqliteAccountStore() override;

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
  explicit SqliteAccountStore(std::unique_ptr<SqliteDb> db);
  core::Result<std::optional<UserRecord>> QueryUser(const std::string& where, int64_t id,
                                                    const std::string& text);

  std::mutex mu_;
  std::unique_ptr<SqliteDb> db_;  // guarded by mu_
};

// The accounts track (versions 1000–1999); exposed for tests.
std::span<const Migration> SqliteAccountMigrations();

// The companion file of the accounts and the audit trail for the main
// database at db_path: "<db_path>.accounts.db".
std::string AccountsDbPath(const std::string& db_path);

// Opens `path` with the pragmas every Ichigen connection uses (WAL, foreign
// keys, busy timeout); kDataLoss for a file that is not a database.
core::Result<std::unique_ptr<SqliteDb>> OpenSqliteConnection(const std::string& path);

}  // namespace ichigen::store
