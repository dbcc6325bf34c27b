// AccountService: log-in, sessions, API tokens and user administration over
// an AccountStore. Used by the server and by the `ichigen user` commands.
//  - Passwords: argon2id (api/password.h). Unknown logins cost the same
//    hash verification as known ones, so timing does not reveal them.
//  - Throttling: failed log-ins are counted in memory per login and per
//    remote address over a sliding window; past the limit further attempts
//    are refused (kUnavailable, retry later) without checking the password.
//  - Lock: after max_failures consecutive failures the account is locked
//    (stored, so it survives a restart) until lock_duration has passed or
//    an administrator resets the password.
//  - Sessions: a random 256-bit cookie value, stored as its SHA-256, with a
//    per-session CSRF token; they end at logout, after session_lifetime, or
//    after session_idle without use.
//  - API tokens: "ich_" + 256 random bits, shown once, stored as SHA-256;
//    scope "full" (what the user may do) or "read" (GET requests only).
//  - Cache: a successful session or token check is kept in memory for
//    auth_cache_ttl, so a busy client costs no store lookups per request.
//    Every change made through this service (logout, password change or
//    reset, disable, token revocation) empties the cache at once; a change
//    made by another process (`ichigen user disable` beside the server) takes
//    effect within auth_cache_ttl. Session expiry and idle time are still
//    checked on every request.
// Thread-safety: thread-safe (the store is; throttle state is guarded by
// LoginThrottle::mu_, the cache by cache_mu_).
#pragma once

#include <chrono>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "api/password.h"
#include "api/random.h"
#include "api/roles.h"
#include "audit/clock.h"
#include "core/result.h"
#include "store/account_store.h"

namespace ichigen::api {

struct AccountPolicy {
  int max_failures = 10;                              // then the account locks
  std::chrono::seconds lock_duration{15 * 60};
  std::chrono::seconds session_lifetime{8 * 3600};
  std::chrono::seconds session_idle{60 * 60};
  int throttle_per_login = 5;                         // failures per window
  int throttle_per_address = 20;
  std::chrono::seconds throttle_window{60};
  std::chrono::seconds touch_interval{60};            // last-seen writes at most this often
  std::chrono::milliseconds auth_cache_ttl{2000};     // 0: no cache
};

// Sliding-window failure counter. Thread-safety: thread-safe (mu_).
class LoginThrottle {
 public:
  LoginThrottle(int limit, std::chrono::seconds window) : limit_(limit), window_(window) {}
  bool Blocked(const std::string& key, audit::TimePoint now);
  void RecordFailure(const std::string& key, audit::TimePoint now);
  void Clear(const std::string& key);

 private:
  static constexpr size_t kMaxKeys = 100000;  // bounded memory under a flood
  int limit_;
  std::chrono::seconds window_;
  std::mutex mu_;
  std::map<std::string, std::deque<audit::TimePoint>> failures_;  // guarded by mu_
};

struct LoginResult {
  std::string session_token;  // the cookie value (never stored)
  std::string csrf_token;
  std::string expires_at;
  Principal principal;
};

struct IssuedToken {
  std::string token;  // shown once
  store::ApiTokenRecord record;
};

class AccountService {
 public:
  AccountService(store::AccountStore& store, audit::Clock clock, Random& random,
                 PasswordParams params, AccountPolicy policy = {});

  core::Result<LoginResult> Login(const std::string& login, const std::string& password,
                                  const std::string& remote);
  core::Result<Principal> AuthenticateSession(const std::string& cookie_value);
  core::Result<Principal> AuthenticateBearer(const std::string& token);
  core::Status Logout(const Principal& principal);
  // Checks the current password; ends the user's other sessions.
  core::Status ChangePassword(const Principal& principal, const std::string& current,
                              const std::string& next);

  core::Result<store::UserRecord> AddUser(const std::string& login, Role role,
                                          const std::string& scope,
                                          const std::string& display_name,
                                          const std::string& password);
  core::Result<store::UserRecord> SetDisabled(const std::string& login, bool disabled);
  // Sets a new password that must be changed at next log-in, unlocks the
  // account and ends its sessions.
  core::Result<store::UserRecord> ResetPassword(const std::string& login,
                                                const std::string& password);
  core::Result<std::vector<store::UserRecord>> ListUsers();
  core::Result<int64_t> CountUsers();
  core::Result<store::UserRecord> GetUserByLogin(const std::string& login);

  core::Result<IssuedToken> IssueToken(int64_t user_id, const std::string& name,
                                       const std::string& scope);
  core::Result<std::vector<store::ApiTokenRecord>> ListTokens(std::optional<int64_t> user_id);
  // A user may revoke their own tokens; an administrator any token.
  core::Status RevokeToken(const Principal& by, int64_t token_id);

  // A fresh random password (for new users and resets), shown once.
  std::string NewPassword() { return GeneratePassword(random_); }

  const AccountPolicy& policy() const { return policy_; }

 private:
  // A session or token check kept for auth_cache_ttl.
  struct CachedAuth {
    Principal principal;
    audit::TimePoint fetched;
    audit::TimePoint expires;  // session: the earlier of its end and its idle limit
  };
  static constexpr size_t kMaxCached = 10000;

  core::Result<Principal> PrincipalFor(const store::UserRecord& user);
  std::optional<Principal> Cached(const std::string& key, audit::TimePoint now);
  uint64_t CacheGeneration();
  // Kept only if no account change happened since CacheGeneration() was read.
  void Remember(const std::string& key, const Principal& principal, uint64_t generation,
                audit::TimePoint now, audit::TimePoint expires);
  void ForgetCached();
  std::string Now() const { return audit::IsoUtc(clock_()); }

  store::AccountStore& store_;
  audit::Clock clock_;
  Random& random_;
  PasswordParams params_;
  AccountPolicy policy_;
  std::string dummy_hash_;  // verified for unknown logins (equal timing)
  LoginThrottle by_login_;
  LoginThrottle by_address_;
  std::mutex cache_mu_;
  std::unordered_map<std::string, CachedAuth> cache_;  // guarded by cache_mu_; "s:"/"t:" + hash
  uint64_t generation_ = 0;  // guarded by cache_mu_; bumped by every account change
};

// Whether a and b are equal, in time independent of where they differ.
bool ConstantTimeEquals(std::string_view a, std::string_view b);

}  // namespace ichigen::api
