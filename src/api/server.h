// ApiServer: the HTTP/JSON server (cpp-httplib; HTTPS when given a
// certificate and key). It registers every Route of the table and runs each
// request through one dispatcher that, in this order: authenticates (bearer
// token, or session cookie), applies the route's Access rule (default deny),
// refuses writes with a read-only token, checks the CSRF header on every
// state-changing request made with a cookie, holds back everything but the
// password change while a reset password is pending, reads a JSON body (size
// limit, 400 on broken JSON), runs the handler, and writes the error body,
// metrics and one JSON log line. /api/v1/openapi.json is generated from the
// same table.
//
// Stop() is graceful: no new connections, running requests finish, the
// inbox stops, and queued and running imports complete before it returns.
// Thread-safety: Start/Stop from one controlling thread; requests run on
// the server's worker threads.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <ostream>
#include <string>
#include <thread>

#include "api/access.h"
#include "api/account_service.h"
#include "api/password.h"
#include "api/random.h"
#include "api/router.h"
#include "api/services.h"
#include "api/store_pool.h"
#include "audit/clock.h"
#include "core/result.h"
#include "intake/importer.h"
#include "store/account_store.h"
#include "store/audit_store.h"

namespace ichigen::store {
class DistributionStore;
class StatsStore;
}  // namespace ichigen::store

namespace ichigen::api {

class Inbox;

struct ServerDeps {
  StoreFactory open_store;
  store::AccountStore* account_store = nullptr;
  store::AuditStore* audit_store = nullptr;
  store::DistributionStore* distribution_store = nullptr;  // optional
  // Optional: the figures the stats endpoints read, updated after each import.
  store::StatsStore* stats_store = nullptr;
  // Optional: more connections to them, so an update after an import reads
  // its patients in slices on every core.
  std::function<core::Result<std::unique_ptr<store::StatsStore>>()> open_stats;
  const intake::IntakeContext* intake = nullptr;
  const FieldPolicy* field_policy = nullptr;
  const Jurisdictions* jurisdictions = nullptr;
  FacilityMatcher facility_matcher = ReportingFacilityMatcher();
  Random* random = nullptr;
  audit::Clock clock = audit::SystemClock();
  PasswordParams password_params = PasswordParams::Interactive();
  AccountPolicy account_policy;
  std::ostream* log_stream = nullptr;  // structured log lines
};

// The session cookie's name.
inline constexpr std::string_view kSessionCookie = "ichigen_session";

class ApiServer {
 public:
  static core::Result<std::unique_ptr<ApiServer>> Create(ServerOptions options, ServerDeps deps);
  ~ApiServer();

  // Binds and serves on a background thread; returns the bound port.
  core::Result<int> Start();
  // Blocks until Stop() (from another thread or a signal watcher).
  void Wait();
  void Stop();

  int port() const { return port_; }
  const RouteTable& routes() const { return routes_; }
  AccountService& accounts() { return *accounts_; }
  audit::AuditLog& audit_log() { return *audit_log_; }
  JobRunner& jobs() { return *jobs_; }
  Inbox* inbox() { return inbox_.get(); }

 private:
  ApiServer(ServerOptions options, ServerDeps deps);
  void Dispatch(const Route& route, const httplib::Request& request, httplib::Response& response,
                const httplib::ContentReader* reader);
  core::Status Authenticate(Exchange& exchange);
  core::Status ReadJsonBody(Exchange& exchange);

  ServerOptions options_;
  ServerDeps deps_;
  RouteTable routes_;
  std::unique_ptr<JsonLog> log_;
  std::unique_ptr<Metrics> metrics_;
  std::unique_ptr<StorePool> stores_;
  std::unique_ptr<AccountService> accounts_;
  std::unique_ptr<audit::AuditLog> audit_log_;
  std::unique_ptr<AccessPolicy> access_;
  std::unique_ptr<JobRunner> jobs_;
  std::unique_ptr<ApiServices> services_;
  std::unique_ptr<Inbox> inbox_;
  std::unique_ptr<httplib::Server> http_;
  std::thread listener_;
  std::atomic<bool> listener_done_ = false;  // listen_after_bind returned
  static constexpr int kListenBacklog = 1024;
  int listen_socket_ = -1;  // set by httplib's socket-options hook before bind
  int port_ = 0;
  bool stopped_ = false;
};

}  // namespace ichigen::api
