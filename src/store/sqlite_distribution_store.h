// SqliteDistributionStore: DistributionStore on its own SQLite connection to
// the same database file as SqliteStore (WAL lets several connections share
// it). It applies the distribution migration track (versions 4000–4999) on
// open. Package files are kept as BLOBs in the database so a download is
// byte for byte what was built.
// Thread-safety: thread-safe; every call holds mu_, which guards the
// connection.
#pragma once

#include <memory>
#include <mutex>
#include <span>
#include <string>

#include "store/distribution_store.h"
#include "store/sqlite_store.h"

namespace ichigen::store {

class SqliteDb;

class SqliteDistributionStore final : public DistributionStore {
 public:
  static core::Result<std::unique_ptr<SqliteDistributionStore>> Open(const std::string& path);
  ~SqliteDistributionStore() override;

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
  explicit SqliteDistributionStore(std::unique_ptr<SqliteDb> db);
  core::Result<std::optional<PackageRecord>> QueryOnePackage(const std::string& where,
                                                             const std::string& a, int64_t b);

  std::mutex mu_;
  std::unique_ptr<SqliteDb> db_;  // guarded by mu_
};

// The distribution track (versions 4000–4999); exposed for tests.
std::span<const Migration> SqliteDistributionMigrations();

}  // namespace ichigen::store
