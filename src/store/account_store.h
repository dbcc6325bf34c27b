// AccountStore: the users, log-in sessions and API tokens of the server.
// Every time is ISO-8601 UTC text ("2024-05-01T09:00:00Z"), so times compare
// as strings. Secrets are never stored: a session or token is kept as the
// SHA-256 of its random value, a password as its argon2id string (the
// hashing lives in src/api; the store knows no cryptography).
//
// Invariants: a login is unique; a session or token belongs to one user;
// a revoked token stays revoked (rows are kept for the record).
//
// Thread-safety: implementations are thread-safe (SqliteAccountStore
// serializes calls on its own connection with a mutex).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"

namespace ichigen::store {

struct UserRecord {
  int64_t id = 0;
  std::string login;
  std::string display_name;
  std::string role;              // api::RoleName: "admin", "operator", ...
  std::string scope;             // code6, health-center or facility name; "" for prefecture roles
  std::string password_hash;     // argon2id encoded string
  bool disabled = false;
  int64_t failed_attempts = 0;   // consecutive failed log-ins
  std::string locked_until;      // "" when not locked
  std::string password_changed_at;
  bool must_change_password = false;  // set by an administrator's reset
  std::string created_at;
};

struct SessionRecord {
  std::string id_hash;  // SHA-256 hex of the cookie value
  int64_t user_id = 0;
  std::string csrf_token;
  std::string created_at;
  std::string last_seen_at;
  std::string expires_at;
};

struct ApiTokenRecord {
  int64_t id = 0;
  std::string token_hash;  // SHA-256 hex of the token
  int64_t user_id = 0;
  std::string name;
  std::string scope;       // "full" (everything the user may do) or "read" (GET only)
  std::string created_at;
  std::string last_used_at;
  bool revoked = false;
};

class AccountStore {
 public:
  virtual ~AccountStore() = default;

  // kAlreadyExists when the login is taken. Returns the new id.
  virtual core::Result<int64_t> CreateUser(const UserRecord& user) = 0;
  virtual core::Result<std::optional<UserRecord>> FindUserByLogin(const std::string& login) = 0;
  virtual core::Result<std::optional<UserRecord>> GetUser(int64_t id) = 0;
  virtual core::Result<std::vector<UserRecord>> ListUsers() = 0;  // in id order
  virtual core::Result<int64_t> CountUsers() = 0;
  // Writes every mutable field of the user with that id; kNotFound if none.
  virtual core::Status UpdateUser(const UserRecord& user) = 0;

  virtual core::Status CreateSession(const SessionRecord& session) = 0;
  virtual core::Result<std::optional<SessionRecord>> FindSession(const std::string& id_hash) = 0;
  virtual core::Status TouchSession(const std::string& id_hash, const std::string& last_seen_at) = 0;
  virtual core::Status DeleteSession(const std::string& id_hash) = 0;
  virtual core::Status DeleteSessionsOfUser(int64_t user_id) = 0;
  virtual core::Status DeleteExpiredSessions(const std::string& now) = 0;

  // Returns the new token id.
  virtual core::Result<int64_t> CreateToken(const ApiTokenRecord& token) = 0;
  virtual core::Result<std::optional<ApiTokenRecord>> FindToken(const std::string& token_hash) = 0;
  // Tokens of one user, or of everyone, in id order.
  virtual core::Result<std::vector<ApiTokenRecord>> ListTokens(std::optional<int64_t> user_id) = 0;
  virtual core::Status TouchToken(int64_t id, const std::string& last_used_at) = 0;
  // kNotFound when no such token.
  virtual core::Status RevokeToken(int64_t id) = 0;
  virtual core::Status RevokeTokensOfUser(int64_t user_id) = 0;
};

}  // namespace ichigen::store
