// ApiServices: what the handlers use — the store pool, accounts, the audit
// trail, the access policy, the import jobs, metrics and the log — and the
// server's options. Built by ApiServer; handlers receive it via Exchange.
// Thread-safety: every member is thread-safe; the struct is not modified
// after the server starts.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "api/access.h"
#include "api/account_service.h"
#include "api/jobs.h"
#include "api/json_log.h"
#include "api/metrics.h"
#include "api/router.h"
#include "api/store_pool.h"
#include "audit/audit_log.h"
#include "audit/clock.h"
#include "store/audit_store.h"

namespace ichigen::store {
class DistributionStore;
class StatsStore;
}  // namespace ichigen::store

namespace ichigen::api {

struct ServerOptions {
  std::string host = "127.0.0.1";
  int port = 8080;              // 0: any free port
  std::string tls_cert;         // PEM; with tls_key, serve HTTPS
  std::string tls_key;
  std::string inbox_dir;        // empty: no inbox
  std::chrono::milliseconds inbox_poll{2000};
  std::string upload_dir;       // empty: a folder under the system temp dir
  int64_t max_upload_bytes = int64_t{2} << 30;
  int64_t max_json_bytes = int64_t{1} << 20;
  size_t threads = 64;          // HTTP worker threads (one per open connection)
  size_t store_connections = 8; // Store connections shared by the workers
};

struct ApiServices {
  StorePool& stores;
  AccountService& accounts;
  audit::AuditLog& audit_log;
  store::AuditStore& audit_store;
  const AccessPolicy& access;
  JobRunner& jobs;
  Metrics& metrics;
  JsonLog& log;
  audit::Clock clock;
  const ServerOptions& options;
  const RouteTable& routes;
  bool tls = false;
  store::DistributionStore* distribution = nullptr;  // packages, receipts, alerts (may be null)
  store::StatsStore* stats = nullptr;  // materialized daily figures (may be null)
  // Takes a review or merge decision just recorded into the figures (empty
  // without a stats store): the update's summary, or null with no figures.
  std::function<core::Result<nlohmann::json>()> after_decision;
};

}  // namespace ichigen::api
