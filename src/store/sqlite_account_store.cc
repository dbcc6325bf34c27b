#include "store/sqlite_account_store.h"

#include "store/sqlite_handle.h"

namespace ichigen::store {

namespace {

constexpr Migration kAccountMigrations[] = {
    {1000, "users, sessions, api tokens", R"sql(
CREATE TABLE users (
  id INTEGER PRIMARY KEY,
  login TEXT NOT NULL UNIQUE,
  display_name TEXT NOT NULL DEFAULT '',
  role TEXT NOT NULL,
  scope TEXT NOT NULL DEFAULT '',
  password_hash TEXT NOT NULL,
  disabled INTEGER NOT NULL DEFAULT 0,
  failed_attempts INTEGER NOT NULL DEFAULT 0,
  locked_until TEXT NOT NULL DEFAULT '',
  password_changed_at TEXT NOT NULL DEFAULT '',
  must_change_password INTEGER NOT NULL DEFAULT 0,
  created_at TEXT NOT NULL
);
CREATE TABLE sessions (
  id_hash TEXT PRIMARY KEY,
  user_id INTEGER NOT NULL REFERENCES users(id),
  csrf_token TEXT NOT NULL,
  created_at TEXT NOT NULL,
  last_seen_at TEXT NOT NULL,
  expires_at TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX sessions_user ON sessions(user_id);
CREATE TABLE api_tokens (
  id INTEGER PRIMARY KEY,
  token_hash TEXT NOT NULL UNIQUE,
  user_id INTEGER NOT NULL REFERENCES users(id),
  name TEXT NOT NULL,
  scope TEXT NOT NULL,
  created_at TEXT NOT NULL,
  last_used_at TEXT NOT NULL DEFAULT '',
  revoked INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX api_tokens_user ON api_tokens(user_id);
)sql"},
};

constexpr const char* kUserColumns =
    "id, login, display_name, role, scope, password_hash, disabled, failed_attempts, "
    "locked_until, password_changed_at, must_change_password, created_at";

UserRecord ReadUser(const SqliteStmt& s) {
  UserRecord u;
  u.id = s.Int(0);
  u.login = s.Text(1);
  u.display_name = s.Text(2);
  u.role = s.Text(3);
  u.scope = s.Text(4);
  u.password_hash = s.Text(5);
  u.disabled = s.Int(6) != 0;
  u.failed_attempts = s.Int(7);
  u.locked_until = s.Text(8);
  u.password_changed_at = s.Text(9);
  u.must_change_password = s.Int(10) != 0;
  u.created_at = s.Text(11);
  return u;
}

constexpr const char* kTokenColumns =
    "id, token_hash, user_id, name, scope, created_at, last_used_at, revoked";

ApiTokenRecord ReadToken(const SqliteStmt& s) {
  ApiTokenRecord t;
  t.id = s.Int(0);
  t.token_hash = s.Text(1);
  t.user_id = s.Int(2);
  t.name = s.Text(3);
  t.scope = s.Text(4);
  t.created_at = s.Text(5);
  t.last_used_at = s.Text(6);
  t.revoked = s.Int(7) != 0;
  return t;
}

core::Status RunWithOneChange(SqliteDb& db, SqliteStmt& stmt, const char* what,
                              const std::string& context) {
  RETURN_IF_ERROR(stmt.Run());
  if (sqlite3_changes(db.get()) == 0) {
    return core::Fail(core::Code::kNotFound, std::string(what) + "が見つかりません",
                      std::string(what) + " not found", context);
  }
  return core::Ok();
}

}  // namespace

std::span<const Migration> SqliteAccountMigrations() { return kAccountMigrations; }

std::string AccountsDbPath(const std::string& db_path) { return db_path + ".accounts.db"; }

core::Result<std::unique_ptr<SqliteDb>> OpenSqliteConnection(const std::string& path) {
  ASSIGN_OR_RETURN(std::unique_ptr<SqliteDb> db, SqliteDb::Open(path));
  RETURN_IF_ERROR(db->EnterWalMode(path));
  RETURN_IF_ERROR(db->Exec("PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL"));
  return db;
}

SqliteAccountStore::SqliteAccountStore(std::unique_ptr<SqliteDb> db) : db_(std::move(db)) {}
SqliteAccountStore::~SqliteAccountStore() = default;

core::Result<std::unique_ptr<SqliteAccountStore>> SqliteAccountStore::Open(
    const std::string& path) {
  ASSIGN_OR_RETURN(std::unique_ptr<SqliteDb> db, OpenSqliteConnection(path));
  RETURN_IF_ERROR(ApplySqliteMigrations(*db, SqliteAccountMigrations()));
  return std::unique_ptr<SqliteAccountStore>(new SqliteAccountStore(std::move(db)));
}

core::Result<int64_t> SqliteAccountStore::CreateUser(const UserRecord& u) {
  std::lock_guard lock(mu_);
  ASSIGN_OR_RETURN(SqliteStmt stmt,
                   db_->Prepare("INSERT INTO users (login, display_name, role, scope, "
                                "password_hash, disabled, failed_attempts, locked_until, "
                                "password_changed_at, must_change_password, created_at) "
                                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"));
  stmt.BindText(1, u.login)
      .BindText(2, u.display_name)
      .BindText(3, u.role)
      .BindText(4, u.scope)
      .BindText(5, u.password_hash)
      .Bind(6, int64_t{u.disabled ? 1 : 0})
      .Bind(7, u.failed_attempts)
      .BindText(8, u.locked_until)
      .BindText(9, u.password_changed_at)
      .Bind(10, int64_t{u.must_change_password ? 1 : 0})
      .BindText(11, u.created_at);
  auto ran = stmt.Run();
  if (!ran) {
    if (ran.error().code == core::Code::kAlreadyExists) {
      return core::Fail(core::Code::kAlreadyExists, "そのログイン名は使われています",
                        "that login is taken", u.login);
    }
    return std::unexpected(ran.error());
  }
  return db_->LastInsertRowid();
}

core::Result<std::optional<UserRecord>> SqliteAccountStore::QueryUser(const std::string& where,
                                                                      int64_t id,
                                                                      const std::string& text) {
  ASSIGN_OR_RETURN(SqliteStmt stmt, db_->Prepare(std::string("SELECT ") + kUserColumns +
                                                 " FROM users WHERE " + where));
  if (text.empty()) {
    stmt.Bind(1, id);
  } else {
    stmt.BindText(1, text);
  }
  ASSIGN_OR_RETURN(bool row, stmt.Step());
  if (!row) return std::optional<UserRecord>();
  return std::optional<UserRecord>(ReadUser(stmt));
}

core::Result<std::optional<UserRecord>> SqliteAccountStore::FindUserByLogin(
    const std::string& login) {
  std::lock_guard lock(mu_);
  if (login.empty()) return std::optional<UserRecord>();
  return QueryUser("login = ?", 0, login);
}

core::Result<std::optional<UserRecord>> SqliteAccountStore::GetUser(int64_t id) {
  std::lock_guard lock(mu_);
  return QueryUser("id = ?", id, "");
}

core::Result<std::vector<UserRecord>> SqliteAccountStore::ListUsers() {
  std::lock_guard lock(mu_);
  ASSIGN_OR_RETURN(SqliteStmt stmt,
                   db_->Prepare(std::string("SELECT ") + kUserColumns + " FROM users ORDER BY id"));
  std::vector<UserRecord> users;
  while (true) {
    ASSIGN_OR_RETURN(bool row, stmt.Step());
    if (!row) break;
    users.push_back(ReadUser(stmt));
  }
  return users;
}

core::Result<int64_t> SqliteAccountStore::CountUsers() {
  std::lock_guard lock(mu_);
  ASSIGN_OR_RETURN(SqliteStmt stmt, db_->Prepare("SELECT COUNT(*) FROM users"));
  ASSIGN_OR_RETURN(bool row, stmt.Step());
  return row ? stmt.Int(0) : 0;
}

core::Status SqliteAccountStore::UpdateUser(const UserRecord& u) {
  std::lock_guard lock(mu_);
  ASSIGN_OR_RETURN(SqliteStmt stmt,
                   db_->Prepare("UPDATE users SET display_name = ?, role = ?, scope = ?, "
                                "password_hash = ?, disabled = ?, failed_attempts = ?, "
                                "locked_until = ?, password_changed_at = ?, "
                                "must_change_password = ? WHERE id = ?"));
  stmt.BindText(1, u.display_name)
      .BindText(2, u.role)
      .BindText(3, u.scope)
      .BindText(4, u.password_hash)
      .Bind(5, int64_t{u.disabled ? 1 : 0})
      .Bind(6, u.failed_attempts)
      .BindText(7, u.locked_until)
      .BindText(8, u.password_changed_at)
      .Bind(9, int64_t{u.must_change_password ? 1 : 0})
      .Bind(10, u.id);
  return RunWithOneChange(*db_, stmt, "利用者", std::to_string(u.id));
}

core::Status SqliteAccountStore::CreateSession(const SessionRecord& s) {
  std::lock_guard lock(mu_);
  ASSIGN_OR_RETURN(SqliteStmt stmt,
                   db_->Prepare("INSERT INTO sessions (id_hash, user_id, csrf_token, created_at, "
                                "last_seen_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)"));
  stmt.BindText(1, s.id_hash)
      .Bind(2, s.user_id)
      .BindText(3, s.csrf_token)
      .BindText(4, s.created_at)
      .BindText(5, s.last_seen_at)
      .BindText(6, s.expires_at);
  return stmt.Run();
}

core::Result<std::optional<SessionRecord>> SqliteAccountStore::FindSession(
    const std::string& id_hash) {
  std::lock_guard lock(mu_);
  ASSIGN_OR_RETURN(SqliteStmt stmt,
                   db_->Prepare("SELECT id_hash, user_id, csrf_token, created_at, last_seen_at, "
                                "expires_at FROM sessions WHERE id_hash = ?"));
  stmt.BindText(1, id_hash);
  ASSIGN_OR_RETURN(bool row, stmt.Step());
  if (!row) return std::optional<SessionRecord>();
  SessionRecord s;
  s.id_hash = stmt.Text(0);
  s.user_id = stmt.Int(1);
  s.csrf_token = stmt.Text(2);
  s.created_at = stmt.Text(3);
  s.last_seen_at = stmt.Text(4);
  s.expires_at = stmt.Text(5);
  return std::optional<SessionRecord>(std::move(s));
}

core::Status SqliteAccountStore::TouchSession(const std::string& id_hash,
                                              const std::string& last_seen_at) {
  std::lock_guard lock(mu_);
  ASSIGN_OR_RETURN(SqliteStmt stmt,
                   db_->Prepare("UPDATE sessions SET last_seen_at = ? WHERE id_hash = ?"));
  stmt.BindText(1, last_seen_at).BindText(2, id_hash);
  return stmt.Run();
}

core::Status SqliteAccountStore::DeleteSession(const std::string& id_hash) {
  std::lock_guard lock(mu_);
  ASSIGN_OR_RETURN(SqliteStmt stmt, db_->Prepare("DELETE FROM sessions WHERE id_hash = ?"));
  stmt.BindText(1, id_hash);
  return stmt.Run();
}

core::Status SqliteAccountStore::DeleteSessionsOfUser(int64_t user_id) {
  std::lock_guard lock(mu_);
  ASSIGN_OR_RETURN(SqliteStmt stmt, db_->Prepare("DELETE FROM sessions WHERE user_id = ?"));
  stmt.Bind(1, user_id);
  return stmt.Run();
}

core::Status SqliteAccountStore::DeleteExpiredSessions(const std::string& now) {
  std::lock_guard lock(mu_);
  ASSIGN_OR_RETURN(SqliteStmt stmt, db_->Prepare("DELETE FROM sessions WHERE expires_at <= ?"));
  stmt.BindText(1, now);
  return stmt.Run();
}

core::Result<int64_t> SqliteAccountStore::CreateToken(const ApiTokenRecord& t) {
  std::lock_guard lock(mu_);
  ASSIGN_OR_RETURN(SqliteStmt stmt,
                   db_->Prepare("INSERT INTO api_tokens (token_hash, user_id, name, scope, "
                                "created_at, last_used_at, revoked) VALUES (?, ?, ?, ?, ?, ?, ?)"));
  stmt.BindText(1, t.token_hash)
      .Bind(2, t.user_id)
      .BindText(3, t.name)
      .BindText(4, t.scope)
      .BindText(5, t.created_at)
      .BindText(6, t.last_used_at)
      .Bind(7, int64_t{t.revoked ? 1 : 0});
  RETURN_IF_ERROR(stmt.Run());
  return db_->LastInsertRowid();
}

core::Result<std::optional<ApiTokenRecord>> SqliteAccountStore::FindToken(
    const std::string& token_hash) {
  std::lock_guard lock(mu_);
  ASSIGN_OR_RETURN(SqliteStmt stmt, db_->Prepare(std::string("SELECT ") + kTokenColumns +
                                                 " FROM api_tokens WHERE token_hash = ?"));
  stmt.BindText(1, token_hash);
  ASSIGN_OR_RETURN(bool row, stmt.Step());
  if (!row) return std::optional<ApiTokenRecord>();
  return std::optional<ApiTokenRecord>(ReadToken(stmt));
}

core::Result<std::vector<ApiTokenRecord>> SqliteAccountStore::ListTokens(
    std::optional<int64_t> user_id) {
  std::lock_guard lock(mu_);
  std::string sql = std::string("SELECT ") + kTokenColumns + " FROM api_tokens";
  if (user_id) sql += " WHERE user_id = ?";
  sql += " ORDER BY id";
  ASSIGN_OR_RETURN(SqliteStmt stmt, db_->Prepare(sql));
  if (user_id) stmt.Bind(1, *user_id);
  std::vector<ApiTokenRecord> tokens;
  while (true) {
    ASSIGN_OR_RETURN(bool row, stmt.Step());
    if (!row) break;
    tokens.push_back(ReadToken(stmt));
  }
  return tokens;
}

core::Status SqliteAccountStore::TouchToken(int64_t id, const std::string& last_used_at) {
  std::lock_guard lock(mu_);
  ASSIGN_OR_RETURN(SqliteStmt stmt,
                   db_->Prepare("UPDATE api_tokens SET last_used_at = ? WHERE id = ?"));
  stmt.BindText(1, last_used_at).Bind(2, id);
  return stmt.Run();
}

core::Status SqliteAccountStore::RevokeToken(int64_t id) {
  std::lock_guard lock(mu_);
  ASSIGN_OR_RETURN(SqliteStmt stmt, db_->Prepare("UPDATE api_tokens SET revoked = 1 WHERE id = ?"));
  stmt.Bind(1, id);
  return RunWithOneChange(*db_, stmt, "APIトークン", std::to_string(id));
}

core::Status SqliteAccountStore::RevokeTokensOfUser(int64_t user_id) {
  std::lock_guard lock(mu_);
  ASSIGN_OR_RETURN(SqliteStmt stmt,
                   db_->Prepare("UPDATE api_tokens SET revoked = 1 WHERE user_id = ?"));
  stmt.Bind(1, user_id);
  return stmt.Run();
}

}  // namespace ichigen::store
