// DistributionStore: what the prefecture keeps about municipal packages —
// agreement (覚書) versions, patient consent records, the packages themselves
// (manifest, snapshot and the rendered files' bytes, so a download is exactly
// what was built), receipts (受領確認), last-mile records from the
// municipalities and the alerts they raise for health centers.
//
// Invariants:
//  1. Agreement versions are append-only: a change is a new version, numbered
//     by the store (1, 2, … per municipality), never an edit.
//  2. Consent records are append-only; the latest (by date, then record id)
//     is the patient's consent.
//  3. A package id ("<code6>-<YYYYMMDDThhmm>") is stored once: a second
//     insert of the same id is kAlreadyExists and changes nothing, so a
//     stored package's bytes never change after it was built.
//  4. A receipt is recorded once: the first acknowledgement stands.
//
// Every time is ISO-8601 UTC text, so times compare as strings.
// Thread-safety: implementations are thread-safe (SqliteDistributionStore
// serializes calls on its own connection with a mutex).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/result.h"
#include "distribution/agreement.h"
#include "distribution/package.h"

namespace ichigen::store {

struct ConsentRecord {
  int64_t id = 0;
  int64_t patient_id = 0;
  distribution::Consent consent = distribution::Consent::kGiven;  // kGiven or kWithdrawn
  std::string source;     // e.g. "保健所:横浜市", "HER-SYS", a file name
  core::Date on;          // the day consent was given or withdrawn
  std::string recorded_at;
};

struct PackageFileBlob {
  std::string name;      // file name, no directory
  std::string format;    // "csv", "xlsx", "json", "manifest"
  std::string encoding;  // "cp932", "utf-8-bom", "utf-8"; empty for xlsx
  std::string sha256;
  std::string bytes;
};

struct PackageRecord {
  std::string id;                  // "141003-20220801T0900"
  std::string municipality_code6;
  std::string municipality_name;
  std::string cutoff;              // Cutoff::Iso()
  int64_t cutoff_unix = 0;
  int agreement_version = 0;
  int64_t rows = 0;
  std::string counts_json;         // {"new":…, "changed":…, …, "ended_by":{…}}
  std::string manifest_json;
  std::string manifest_sha256;     // the package's checksum
  std::string snapshot_json;       // distribution::SnapshotToJson
  std::string created_at;
  std::string acknowledged_by;     // "" until acknowledged
  std::string acknowledged_at;
};

struct PackageFilter {
  std::string municipality_code6;  // "" = every municipality
  bool unacknowledged_only = false;
  std::string created_before;      // "" = any; else created_at < this
};

// A contact or support result a municipality recorded (連絡済, 不通, 配食, …).
struct LastmileRecord {
  int64_t id = 0;
  int64_t patient_id = 0;
  std::string ref;                 // 整理番号 as the municipality knows it
  std::string package_id;          // the package the ref was found in
  std::string municipality_code6;
  core::Date on;
  std::string kind;
  std::string note;
  std::string recorded_by;
  std::string recorded_at;
};

struct AlertRecord {
  int64_t id = 0;
  int64_t patient_id = 0;
  std::string health_center;
  std::string municipality_code6;
  std::string kind;        // "condition_worse" (体調悪化), "unreachable" (不通 repeated), "package_failed"
  std::string message_ja;
  core::Date on;
  std::string raised_at;
  bool resolved = false;
};

class DistributionStore {
 public:
  virtual ~DistributionStore() = default;

  // The prefecture's secret for DeriveRef, created once per store.
  virtual core::Result<std::string> RefKey() = 0;

  // Stores the agreement as the municipality's next version (the given
  // version is ignored) and returns the stored version.
  virtual core::Result<distribution::Agreement> AddAgreementVersion(
      const distribution::Agreement& agreement) = 0;
  // Every version of every municipality, by code then version.
  virtual core::Result<std::vector<distribution::Agreement>> ListAgreements() = 0;

  // Returns the new record id.
  virtual core::Result<int64_t> AddConsent(const ConsentRecord& record) = 0;
  // The latest consent of every patient with a record.
  virtual core::Result<std::unordered_map<int64_t, distribution::Consent>> LatestConsents() = 0;
  virtual core::Result<std::vector<ConsentRecord>> ConsentsOf(int64_t patient_id) = 0;

  // kAlreadyExists when a package with that id is stored (invariant 3).
  virtual core::Status InsertPackage(const PackageRecord& package,
                                     const std::vector<PackageFileBlob>& files) = 0;
  virtual core::Result<std::optional<PackageRecord>> GetPackage(const std::string& id) = 0;
  // By cutoff then municipality code.
  virtual core::Result<std::vector<PackageRecord>> ListPackages(const PackageFilter& filter) = 0;
  // The municipality's latest package cut strictly before `cutoff_unix`.
  virtual core::Result<std::optional<PackageRecord>> PreviousPackage(
      const std::string& municipality_code6, int64_t cutoff_unix) = 0;
  // Files of a package (without bytes when with_bytes is false), csv, xlsx,
  // json, manifest order.
  virtual core::Result<std::vector<PackageFileBlob>> PackageFiles(const std::string& id,
                                                                  bool with_bytes) = 0;
  // kNotFound for an unknown package; the first receipt stands (invariant 4)
  // and is returned.
  virtual core::Result<PackageRecord> Acknowledge(const std::string& id, const std::string& by,
                                                  const std::string& at) = 0;

  virtual core::Result<int64_t> AddLastmile(const LastmileRecord& record) = 0;
  // A patient's records (patient_id != 0) or a municipality's (code6 != ""),
  // or every record, by date then id.
  virtual core::Result<std::vector<LastmileRecord>> ListLastmile(
      int64_t patient_id, const std::string& municipality_code6) = 0;

  virtual core::Result<int64_t> AddAlert(const AlertRecord& alert) = 0;
  // Alerts of one health center ("" = all), open ones only unless
  // include_resolved, by id.
  virtual core::Result<std::vector<AlertRecord>> ListAlerts(const std::string& health_center,
                                                            bool include_resolved) = 0;
};

}  // namespace ichigen::store
