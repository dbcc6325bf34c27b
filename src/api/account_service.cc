#include "api/account_service.h"

#include <algorithm>

#include <sodium.h>

#include "core/sha256.h"

namespace ichigen::api {

namespace {

template <typename F>
struct AtExit {
  F f;
  ~AtExit() { f(); }
};

core::Error BadCredentials() {
  return core::Error{core::Code::kUnauthenticated, "ログイン名またはパスワードが違います",
                     "wrong login or password", ""};
}

core::Error NotAuthenticated() {
  return core::Error{core::Code::kUnauthenticated,
                     "ログインしていないか、ログインの有効期限が切れています",
                     "not logged in, or the session has expired", ""};
}

}  // namespace

bool ConstantTimeEquals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  return sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

bool LoginThrottle::Blocked(const std::string& key, audit::TimePoint now) {
  std::lock_guard lock(mu_);
  auto it = failures_.find(key);
  if (it == failures_.end()) return false;
  auto& times = it->second;
  while (!times.empty() && times.front() + window_ <= now) times.pop_front();
  if (times.empty()) {
    failures_.erase(it);
    return false;
  }
  return static_cast<int>(times.size()) >= limit_;
}

void LoginThrottle::RecordFailure(const std::string& key, audit::TimePoint now) {
  std::lock_guard lock(mu_);
  if (failures_.size() >= kMaxKeys && !failures_.contains(key)) {
    // Forget windows that have passed; if none have, forget an arbitrary key
    // rather than grow without bound.
    std::erase_if(failures_, [&](const auto& entry) {
      return entry.second.empty() || entry.second.back() + window_ <= now;
    });
    if (failures_.size() >= kMaxKeys) failures_.erase(failures_.begin());
  }
  auto& times = failures_[key];
  times.push_back(now);
  while (static_cast<int>(times.size()) > limit_) times.pop_front();
}

void LoginThrottle::Clear(const std::string& key) {
  std::lock_guard lock(mu_);
  failures_.erase(key);
}

AccountService::AccountService(store::AccountStore& store, audit::Clock clock, Random& random,
                               PasswordParams params, AccountPolicy policy)
    : store_(store),
      clock_(std::move(clock)),
      random_(random),
      params_(params),
      policy_(policy),
      by_login_(policy.throttle_per_login, policy.throttle_window),
      by_address_(policy.throttle_per_address, policy.throttle_window) {
  auto dummy = HashPassword(RandomHex(random_, 16), params_);
  if (dummy) dummy_hash_ = *dummy;
}

core::Result<Principal> AccountService::PrincipalFor(const store::UserRecord& user) {
  ASSIGN_OR_RETURN(Role role, ParseRole(user.role));
  Principal p;
  p.user_id = user.id;
  p.login = user.login;
  p.display_name = user.display_name;
  p.role = role;
  p.scope = user.scope;
  p.must_change_password = user.must_change_password;
  return p;
}

core::Result<LoginResult> AccountService::Login(const std::string& login,
                                                const std::string& password,
                                                const std::string& remote) {
  const audit::TimePoint now = clock_();
  const std::string login_key = "login:" + login;
  const std::string address_key = "addr:" + remote;
  if (by_login_.Blocked(login_key, now) || by_address_.Blocked(address_key, now)) {
    return core::Fail(core::Code::kUnavailable,
                      "ログインの失敗が続いたため、しばらく受け付けません。1分ほど待ってから"
                      "やり直してください",
                      "too many failed log-ins; wait a minute and try again",
                      "retry_after=" + std::to_string(policy_.throttle_window.count()));
  }
  auto fail = [&]() {
    by_login_.RecordFailure(login_key, now);
    by_address_.RecordFailure(address_key, now);
  };
  if (login.empty() || login.size() > 256 || password.size() > kMaxPasswordLength) {
    fail();
    return std::unexpected(BadCredentials());
  }
  ASSIGN_OR_RETURN(std::optional<store::UserRecord> found, store_.FindUserByLogin(login));
  if (!found || found->disabled) {
    (void)VerifyPassword(dummy_hash_, password);
    fail();
    return std::unexpected(BadCredentials());
  }
  store::UserRecord user = std::move(*found);
  const std::string now_text = audit::IsoUtc(now);
  if (!user.locked_until.empty() && user.locked_until > now_text) {
    fail();
    return core::Fail(core::Code::kPermissionDenied,
                      "ログインの失敗が続いたため、アカウントをロックしています。時間をおくか、"
                      "管理者にパスワードの再設定を依頼してください",
                      "the account is locked after repeated failures; wait, or ask an "
                      "administrator to reset the password",
                      "locked_until=" + user.locked_until);
  }
  if (!VerifyPassword(user.password_hash, password)) {
    fail();
    user.failed_attempts += 1;
    const bool lock_now = user.failed_attempts >= policy_.max_failures;
    if (lock_now) user.locked_until = audit::IsoUtc(now + policy_.lock_duration);
    RETURN_IF_ERROR(store_.UpdateUser(user));
    if (lock_now) {
      return core::Fail(core::Code::kPermissionDenied,
                        "ログインの失敗が続いたため、アカウントをロックしました",
                        "the account is now locked after repeated failures",
                        "locked_until=" + user.locked_until);
    }
    return std::unexpected(BadCredentials());
  }
  if (user.failed_attempts != 0 || !user.locked_until.empty()) {
    user.failed_attempts = 0;
    user.locked_until.clear();
    RETURN_IF_ERROR(store_.UpdateUser(user));
  }
  by_login_.Clear(login_key);
  (void)store_.DeleteExpiredSessions(now_text);

  LoginResult result;
  result.session_token = RandomHex(random_, 32);
  result.csrf_token = RandomHex(random_, 32);
  result.expires_at = audit::IsoUtc(now + policy_.session_lifetime);
  store::SessionRecord session{core::Sha256Hex(result.session_token), user.id, result.csrf_token,
                               now_text, now_text, result.expires_at};
  RETURN_IF_ERROR(store_.CreateSession(session));
  ASSIGN_OR_RETURN(result.principal, PrincipalFor(user));
  result.principal.session_hash = session.id_hash;
  result.principal.csrf_token = result.csrf_token;
  return result;
}

core::Result<Principal> AccountService::AuthenticateSession(const std::string& cookie_value) {
  if (cookie_value.empty() || cookie_value.size() > 128) return std::unexpected(NotAuthenticated());
  const std::string id_hash = core::Sha256Hex(cookie_value);
  const std::string cache_key = "s:" + id_hash;
  if (auto cached = Cached(cache_key, clock_())) return *std::move(cached);
  const uint64_t generation = CacheGeneration();
  ASSIGN_OR_RETURN(std::optional<store::SessionRecord> session, store_.FindSession(id_hash));
  if (!session) return std::unexpected(NotAuthenticated());
  const audit::TimePoint now = clock_();
  const std::string now_text = audit::IsoUtc(now);
  auto last_seen = audit::ParseIsoUtc(session->last_seen_at);
  if (session->expires_at <= now_text || !last_seen ||
      *last_seen + policy_.session_idle <= now) {
    (void)store_.DeleteSession(id_hash);
    return std::unexpected(NotAuthenticated());
  }
  ASSIGN_OR_RETURN(std::optional<store::UserRecord> user, store_.GetUser(session->user_id));
  if (!user || user->disabled) return std::unexpected(NotAuthenticated());
  if (*last_seen + policy_.touch_interval <= now) {
    RETURN_IF_ERROR(store_.TouchSession(id_hash, now_text));
  }
  ASSIGN_OR_RETURN(Principal p, PrincipalFor(*user));
  p.session_hash = id_hash;
  p.csrf_token = session->csrf_token;
  const audit::TimePoint idle_until = std::max(*last_seen, now) + policy_.session_idle;
  const auto ends = audit::ParseIsoUtc(session->expires_at);
  Remember(cache_key, p, generation, now, ends ? std::min(*ends, idle_until) : now);
  return p;
}

core::Result<Principal> AccountService::AuthenticateBearer(const std::string& token) {
  auto invalid = [] {
    return core::Fail(core::Code::kUnauthenticated, "APIトークンが無効です",
                      "the API token is invalid or revoked");
  };
  if (token.size() < 8 || token.size() > 128) return invalid();
  const std::string token_hash = core::Sha256Hex(token);
  const std::string cache_key = "t:" + token_hash;
  if (auto cached = Cached(cache_key, clock_())) return *std::move(cached);
  const uint64_t generation = CacheGeneration();
  ASSIGN_OR_RETURN(std::optional<store::ApiTokenRecord> record, store_.FindToken(token_hash));
  if (!record || record->revoked) return invalid();
  ASSIGN_OR_RETURN(std::optional<store::UserRecord> user, store_.GetUser(record->user_id));
  if (!user || user->disabled) return invalid();
  const audit::TimePoint now = clock_();
  auto last_used = audit::ParseIsoUtc(record->last_used_at);
  if (!last_used || *last_used + policy_.touch_interval <= now) {
    RETURN_IF_ERROR(store_.TouchToken(record->id, audit::IsoUtc(now)));
  }
  ASSIGN_OR_RETURN(Principal p, PrincipalFor(*user));
  p.via_token = true;
  p.token_id = record->id;
  p.token_read_only = record->scope == "read";
  // A token is for systems: a pending password change does not block it.
  p.must_change_password = false;
  Remember(cache_key, p, generation, now, audit::TimePoint::max());
  return p;
}

std::optional<Principal> AccountService::Cached(const std::string& key, audit::TimePoint now) {
  if (policy_.auth_cache_ttl.count() <= 0) return std::nullopt;
  std::lock_guard lock(cache_mu_);
  auto it = cache_.find(key);
  if (it == cache_.end()) return std::nullopt;
  const CachedAuth& entry = it->second;
  if (now < entry.fetched || now >= entry.fetched + policy_.auth_cache_ttl ||
      now >= entry.expires) {
    cache_.erase(it);
    return std::nullopt;
  }
  return entry.principal;
}

uint64_t AccountService::CacheGeneration() {
  std::lock_guard lock(cache_mu_);
  return generation_;
}

void AccountService::Remember(const std::string& key, const Principal& principal,
                              uint64_t generation, audit::TimePoint now,
                              audit::TimePoint expires) {
  if (policy_.auth_cache_ttl.count() <= 0) return;
  std::lock_guard lock(cache_mu_);
  // An account change since this check began: what it read may be stale.
  if (generation != generation_) return;
  if (cache_.size() >= kMaxCached) cache_.clear();
  cache_[key] = CachedAuth{principal, now, expires};
}

void AccountService::ForgetCached() {
  std::lock_guard lock(cache_mu_);
  ++generation_;
  cache_.clear();
}

core::Status AccountService::Logout(const Principal& principal) {
  AtExit forget{[this] { ForgetCached(); }};
  if (principal.session_hash.empty()) return core::Ok();
  return store_.DeleteSession(principal.session_hash);
}

core::Status AccountService::ChangePassword(const Principal& principal, const std::string& current,
                                            const std::string& next) {
  // Whatever this changes, no request keeps a cached principal it ends.
  AtExit forget{[this] { ForgetCached(); }};
  ASSIGN_OR_RETURN(std::optional<store::UserRecord> user, store_.GetUser(principal.user_id));
  if (!user) return core::Fail(core::Code::kNotFound, "利用者が見つかりません", "no such user");
  if (!VerifyPassword(user->password_hash, current)) {
    return core::Fail(core::Code::kPermissionDenied, "現在のパスワードが違います",
                      "the current password is wrong");
  }
  RETURN_IF_ERROR(CheckPasswordPolicy(next, user->login));
  if (next == current) {
    return core::Fail(core::Code::kInvalidArgument, "新しいパスワードが今と同じです",
                      "the new password is the same as the current one");
  }
  ASSIGN_OR_RETURN(user->password_hash, HashPassword(next, params_));
  user->password_changed_at = Now();
  user->must_change_password = false;
  RETURN_IF_ERROR(store_.UpdateUser(*user));
  // End every other session of this user; keep the one that made the change.
  RETURN_IF_ERROR(store_.DeleteSessionsOfUser(user->id));
  if (!principal.session_hash.empty()) {
    store::SessionRecord keep{principal.session_hash, user->id, principal.csrf_token, Now(), Now(),
                              audit::IsoUtc(clock_() + policy_.session_lifetime)};
    RETURN_IF_ERROR(store_.CreateSession(keep));
  }
  return core::Ok();
}

core::Result<store::UserRecord> AccountService::AddUser(const std::string& login, Role role,
                                                        const std::string& scope,
                                                        const std::string& display_name,
                                                        const std::string& password) {
  if (login.empty() || login.size() > 64 ||
      login.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-@") !=
          std::string::npos) {
    return core::Fail(core::Code::kInvalidArgument,
                      "ログイン名は半角英数字と . _ - @ で64文字までです",
                      "a login is up to 64 ASCII letters, digits and . _ - @", login);
  }
  RETURN_IF_ERROR(CheckScope(role, scope));
  RETURN_IF_ERROR(CheckPasswordPolicy(password, login));
  store::UserRecord user;
  user.login = login;
  user.display_name = display_name.empty() ? login : display_name;
  user.role = std::string(RoleName(role));
  user.scope = scope;
  ASSIGN_OR_RETURN(user.password_hash, HashPassword(password, params_));
  user.created_at = Now();
  user.password_changed_at = user.created_at;
  ASSIGN_OR_RETURN(user.id, store_.CreateUser(user));
  return user;
}

core::Result<store::UserRecord> AccountService::GetUserByLogin(const std::string& login) {
  ASSIGN_OR_RETURN(std::optional<store::UserRecord> user, store_.FindUserByLogin(login));
  if (!user) {
    return core::Fail(core::Code::kNotFound, "その利用者はいません", "no such user", login);
  }
  return *user;
}

core::Result<store::UserRecord> AccountService::SetDisabled(const std::string& login,
                                                            bool disabled) {
  // Whatever this changes, no request keeps a cached principal it ends.
  AtExit forget{[this] { ForgetCached(); }};
  ASSIGN_OR_RETURN(store::UserRecord user, GetUserByLogin(login));
  user.disabled = disabled;
  RETURN_IF_ERROR(store_.UpdateUser(user));
  if (disabled) {
    RETURN_IF_ERROR(store_.DeleteSessionsOfUser(user.id));
    RETURN_IF_ERROR(store_.RevokeTokensOfUser(user.id));
  }
  return user;
}

core::Result<store::UserRecord> AccountService::ResetPassword(const std::string& login,
                                                              const std::string& password) {
  // Whatever this changes, no request keeps a cached principal it ends.
  AtExit forget{[this] { ForgetCached(); }};
  ASSIGN_OR_RETURN(store::UserRecord user, GetUserByLogin(login));
  RETURN_IF_ERROR(CheckPasswordPolicy(password, login));
  ASSIGN_OR_RETURN(user.password_hash, HashPassword(password, params_));
  user.password_changed_at = Now();
  user.must_change_password = true;
  user.failed_attempts = 0;
  user.locked_until.clear();
  RETURN_IF_ERROR(store_.UpdateUser(user));
  RETURN_IF_ERROR(store_.DeleteSessionsOfUser(user.id));
  by_login_.Clear("login:" + login);
  return user;
}

core::Result<std::vector<store::UserRecord>> AccountService::ListUsers() {
  return store_.ListUsers();
}

core::Result<int64_t> AccountService::CountUsers() { return store_.CountUsers(); }

core::Result<IssuedToken> AccountService::IssueToken(int64_t user_id, const std::string& name,
                                                     const std::string& scope) {
  if (scope != "full" && scope != "read") {
    return core::Fail(core::Code::kInvalidArgument, "トークンの範囲は full か read です",
                      "token scope must be full or read", scope);
  }
  if (name.empty() || name.size() > 100) {
    return core::Fail(core::Code::kInvalidArgument, "トークンの名前（用途）を100文字以内で付けてください",
                      "give the token a name of up to 100 characters");
  }
  ASSIGN_OR_RETURN(std::optional<store::UserRecord> user, store_.GetUser(user_id));
  if (!user || user->disabled) {
    return core::Fail(core::Code::kNotFound, "その利用者はいないか、無効です",
                      "no such user, or disabled", std::to_string(user_id));
  }
  IssuedToken issued;
  issued.token = "ich_" + RandomHex(random_, 32);
  issued.record.token_hash = core::Sha256Hex(issued.token);
  issued.record.user_id = user_id;
  issued.record.name = name;
  issued.record.scope = scope;
  issued.record.created_at = Now();
  ASSIGN_OR_RETURN(issued.record.id, store_.CreateToken(issued.record));
  return issued;
}

core::Result<std::vector<store::ApiTokenRecord>> AccountService::ListTokens(
    std::optional<int64_t> user_id) {
  return store_.ListTokens(user_id);
}

core::Status AccountService::RevokeToken(const Principal& by, int64_t token_id) {
  // Whatever this changes, no request keeps a cached principal it ends.
  AtExit forget{[this] { ForgetCached(); }};
  if (by.role != Role::kAdmin) {
    ASSIGN_OR_RETURN(std::vector<store::ApiTokenRecord> own, store_.ListTokens(by.user_id));
    bool mine = false;
    for (const auto& token : own) mine = mine || token.id == token_id;
    if (!mine) {
      return core::Fail(core::Code::kNotFound, "そのAPIトークンはありません", "no such token",
                        std::to_string(token_id));
    }
  }
  return store_.RevokeToken(token_id);
}

}  // namespace ichigen::api
