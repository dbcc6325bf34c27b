// PostgresDistributionStore: DistributionStore in the PostgreSQL database of
// the main store (migration track 4000–4999, the same versions as
// SqliteDistributionStore's). Package files are bytea, sent and read as hex
// text, so a download is byte for byte what was built (a CP932 CSV is not
// UTF-8 and must never pass through text). Every server on the database sees
// the same agreements, consents, packages and receipts: agreement versions
// are numbered under a table lock, a package id is a primary key (a second
// insert is kAlreadyExists), and a receipt is a conditional UPDATE (the
// first stands).
// Thread-safety: thread-safe; every call holds mu_, which guards the connection.
#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <span>
#include <string>

#include "store/distribution_store.h"
#include "store/sqlite_store.h"  // struct Migration

namespace ichigen::store {

class PgConn;
class PgParams;
class PgResult;

class PostgresDistributionStore final : public DistributionStore {
 public:
  // Connects (conninfo or postgresql:// URL) and applies the distribution track.
  static core::Result<std::unique_ptr<PostgresDistributionStore>> Open(const std::string& conninfo);
  ~PostgresDistributionStore() override;

  core::Result<std::string> RefKey() override;
  core::Result<distribution::Agreement> AddAgreementVersion(
      const distribution::Agreement& agreement) override;
  core::Result<std::vector<distribution::Agreement>> ListAgreements() override;
  core::Result<int64_t> AddConsent(const ConsentRecord& record) override;
  core::Result<std::unordered_map<int64_t, distribution::Consent>> LatestConsents() override;
  core::Result<std::vector<ConsentRecord>> ConsentsOf(int64_t patient_id) override;
  core::Status InsertPackage(const PackageRecord& package,
                             const std::vector<PackageFileBlob>& files) override;
  core::Result<std::optional<PackageRecord>> GetPackage(const std::string& id) override;
  core::Result<std::vector<PackageRecord>> ListPackages(const PackageFilter& filter) override;
  core::Result<std::optional<PackageRecord>> PreviousPackage(const std::string& municipality_code6,
                                                             int64_t cutoff_unix) override;
  core::Result<std::vector<PackageFileBlob>> PackageFiles(const std::string& id,
                                                          bool with_bytes) override;
  core::Result<PackageRecord> Acknowledge(const std::string& id, const std::string& by,
                                          const std::string& at) override;
  core::Result<int64_t> AddLastmile(const LastmileRecord& record) override;
  core::Result<std::vector<LastmileRecord>> ListLastmile(
      int64_t patient_id, const std::string& municipality_code6) override;
  core::Result<int64_t> AddAlert(const AlertRecord& alert) override;
  core::Result<std::vector<AlertRecord>> ListAlerts(const std::string& health_center,
                                                    bool include_resolved) override;

 private:
  explicit PostgresDistributionStore(std::unique_ptr<PgConn> conn);
  // Runs `fn` in one transaction on the connection (mu_ held by the caller).
  core::Status InTransaction(const std::function<core::Status()>& fn);

  std::mutex mu_;
  std::unique_ptr<PgConn> conn_;  // guarded by mu_
};

// The distribution track in PostgreSQL's dialect; exposed for tests.
std::span<const Migration> PostgresDistributionMigrations();

}  // namespace ichigen::store
