#include "store/sqlite_distribution_store.h"

#include "store/sqlite_account_store.h"
#include "store/sqlite_handle.h"

namespace ichigen::store {

namespace {

constexpr Migration kDistributionMigrations[] = {
    {4000, "agreements, consent, packages, receipts, last mile, alerts", R"sql(
CREATE TABLE distribution_settings (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL
) WITHOUT ROWID;
INSERT INTO distribution_settings (key, value) VALUES ('ref_key', lower(hex(randomblob(32))));
CREATE TABLE agreements (
  municipality_code6 TEXT NOT NULL,
  version INTEGER NOT NULL,
  recorded_at INTEGER NOT NULL,
  receives_data INTEGER NOT NULL,
  valid_from TEXT NOT NULL,
  purposes TEXT NOT NULL,
  fields TEXT NOT NULL,
  include_arranging INTEGER NOT NULL,
  consent_required INTEGER NOT NULL,
  roll_up_to_city INTEGER NOT NULL,
  PRIMARY KEY (municipality_code6, version)
) WITHOUT ROWID;
CREATE TABLE consents (
  id INTEGER PRIMARY KEY,
  patient_id INTEGER NOT NULL,
  consent TEXT NOT NULL CHECK (consent IN ('given', 'withdrawn')),
  source TEXT NOT NULL,
  on_date TEXT NOT NULL,
  recorded_at TEXT NOT NULL
);
CREATE INDEX consents_patient ON consents(patient_id, on_date, id);
CREATE TABLE packages (
  id TEXT PRIMARY KEY,
  municipality_code6 TEXT NOT NULL,
  municipality_name TEXT NOT NULL,
  cutoff TEXT NOT NULL,
  cutoff_unix INTEGER NOT NULL,
  agreement_version INTEGER NOT NULL,
  rows INTEGER NOT NULL,
  counts_json TEXT NOT NULL,
  manifest_json TEXT NOT NULL,
  manifest_sha256 TEXT NOT NULL,
  snapshot_json TEXT NOT NULL,
  created_at TEXT NOT NULL,
  acknowledged_by TEXT NOT NULL DEFAULT '',
  acknowledged_at TEXT NOT NULL DEFAULT ''
);
CREATE INDEX packages_municipality ON packages(municipality_code6, cutoff_unix);
CREATE TABLE package_files (
  package_id TEXT NOT NULL REFERENCES packages(id),
  ord INTEGER NOT NULL,
  name TEXT NOT NULL,
  format TEXT NOT NULL,
  encoding TEXT NOT NULL,
  sha256 TEXT NOT NULL,
  size INTEGER NOT NULL,
  bytes BLOB NOT NULL,
  PRIMARY KEY (package_id, ord)
);
CREATE TABLE lastmile (
  id INTEGER PRIMARY KEY,
  patient_id INTEGER NOT NULL,
  ref TEXT NOT NULL,
  package_id TEXT NOT NULL,
  municipality_code6 TEXT NOT NULL,
  on_date TEXT NOT NULL,
  kind TEXT NOT NULL,
  note TEXT NOT NULL,
  recorded_by TEXT NOT NULL,
  recorded_at TEXT NOT NULL
);
CREATE INDEX lastmile_patient ON lastmile(patient_id, on_date, id);
CREATE INDEX lastmile_municipality ON lastmile(municipality_code6, on_date, id);
CREATE TABLE alerts (
  id INTEGER PRIMARY KEY,
  patient_id INTEGER NOT NULL,
  health_center TEXT NOT NULL,
  municipality_code6 TEXT NOT NULL,
  kind TEXT NOT NULL,
  message_ja TEXT NOT NULL,
  on_date TEXT NOT NULL,
  raised_at TEXT NOT NULL,
  resolved INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX alerts_health_center ON alerts(health_center, resolved);
)sql"},
};

core::Error Damaged(std::string_view what, const std::string& context) {
  return core::Error{core::Code::kDataLoss, "保存データが壊れています: " + std::string(what),
                     "stored data is damaged: " + std::string(what), context};
}

constexpr const char* kPackageColumns =
    "id, municipality_code6, municipality_name, cutoff, cutoff_unix, agreement_version, rows, "
    "counts_json, manifest_json, manifest_sha256, snapshot_json, created_at, acknowledged_by, "
    "acknowledged_at";

PackageRecord ReadPackage(const SqliteStmt& s) {
  PackageRecord p;
  p.id = s.Text(0);
  p.municipality_code6 = s.Text(1);
  p.municipality_name = s.Text(2);
  p.cutoff = s.Text(3);
  p.cutoff_unix = s.Int(4);
  p.agreement_version = static_cast<int>(s.Int(5));
  p.rows = s.Int(6);
  p.counts_json = s.Text(7);
  p.manifest_json = s.Text(8);
  p.manifest_sha256 = s.Text(9);
  p.snapshot_json = s.Text(10);
  p.created_at = s.Text(11);
  p.acknowledged_by = s.Text(12);
  p.acknowledged_at = s.Text(13);
  return p;
}

std::string_view ConsentText(distribution::Consent consent) {
  return consent == distribution::Consent::kWithdrawn ? "withdrawn" : "given";
}

// Commits on Commit(); rolls back when destroyed otherwise.
class Transaction {
 public:
  explicit Transaction(SqliteDb& db) : db_(db) {}
  ~Transaction() {
    if (open_) static_cast<void>(db_.Exec("ROLLBACK"));
  }
  core::Status Begin() {
    RETURN_IF_ERROR(db_.Exec("BEGIN IMMEDIATE"));
    open_ = true;
    return core::Ok();
  }
  core::Status Commit() {
    RETURN_IF_ERROR(db_.Exec("COMMIT"));
    open_ = false;
    return core::Ok();
  }

 private:
  SqliteDb& db_;
  bool open_ = false;
};

}  // namespace

std::span<const Migration> SqliteDistributionMigrations() { return kDistributionMigrations; }

SqliteDistributionStore::SqliteDistributionStore(std::unique_ptr<SqliteDb> db)
    : db_(std::move(db)) {}
SqliteDistributionStore::~SqliteDistributionStore() = default;

core::Result<std::unique_ptr<SqliteDistributionStore>> SqliteDistributionStore::Open(
    const std::string& path) {
  ASSIGN_OR_RETURN(std::unique_ptr<SqliteDb> db, OpenSqliteConnection(path));
  RETURN_IF_ERROR(ApplySqliteMigrations(*db, SqliteDistributionMigrations()));
  return std::unique_ptr<SqliteDistributionStore>(new SqliteDistributionStore(std::move(db)));
}

core::Result<std::string> SqliteDistributionStore::RefKey() {
  std::lock_guard lock(mu_);
  ASSIGN_OR_RETURN(SqliteStmt s,
                   db_->Prepare("SELECT value FROM distribution_settings WHERE key = 'ref_key'"));
  ASSIGN_OR_RETURN(bool row, s.Step());
  if (!row) return std::unexpected(Damaged("ref_key", "distribution_settings"));
  return s.Text(0);
}

core::Result<distribution::Agreement> SqliteDistributionStore::AddAgreementVersion(
    const distribution::Agreement& agreement) {
  std::lock_guard lock(mu_);
  Transaction tx(*db_);
  RETURN_IF_ERROR(tx.Begin());
  ASSIGN_OR_RETURN(SqliteStmt next,
                   db_->Prepare("SELECT COALESCE(MAX(version), 0) + 1 FROM agreements "
                                "WHERE municipality_code6 = ?1"));
  next.BindText(1, agreement.municipality_code6);
  ASSIGN_OR_RETURN(bool row, next.Step());
  distribution::Agreement stored = agreement;
  stored.version = row ? static_cast<int>(next.Int(0)) : 1;
  ASSIGN_OR_RETURN(
      SqliteStmt ins,
      db_->Prepare("INSERT INTO agreements (municipality_code6, version, recorded_at, "
                   "receives_data, valid_from, purposes, fields, include_arranging, "
                   "consent_required, roll_up_to_city) VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10)"));
  ins.BindText(1, stored.municipality_code6)
      .Bind(2, int64_t{stored.version})
      .Bind(3, stored.recorded_at)
      .Bind(4, int64_t{stored.receives_data})
      .BindText(5, stored.valid_from.ToIso())
      .BindText(6, stored.purposes)
      .BindText(7, distribution::FormatFieldList(stored.fields))
      .Bind(8, int64_t{stored.include_arranging_at_home})
      .Bind(9, int64_t{stored.consent_required})
      .Bind(10, int64_t{stored.roll_up_to_city});
  RETURN_IF_ERROR(ins.Run());
  RETURN_IF_ERROR(tx.Commit());
  return stored;
}

core::Result<std::vector<distribution::Agreement>> SqliteDistributionStore::ListAgreements() {
  std::lock_guard lock(mu_);
  ASSIGN_OR_RETURN(
      SqliteStmt s,
      db_->Prepare("SELECT municipality_code6, version, recorded_at, receives_data, valid_from, "
                   "purposes, fields, include_arranging, consent_required, roll_up_to_city "
                   "FROM agreements ORDER BY municipality_code6, version"));
  std::vector<distribution::Agreement> out;
  for (;;) {
    ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) break;
    distribution::Agreement a;
    a.municipality_code6 = s.Text(0);
    a.version = static_cast<int>(s.Int(1));
    a.recorded_at = s.Int(2);
    a.receives_data = s.Int(3) != 0;
    const auto from = core::Date::ParseIso(s.Text(4));
    if (!from) return std::unexpected(Damaged("agreements.valid_from", a.municipality_code6));
    a.valid_from = *from;
    a.purposes = s.Text(5);
    const std::string fields = s.Text(6);
    if (!fields.empty()) {
      auto parsed = distribution::ParseFieldList(fields);
      if (!parsed) return std::unexpected(Damaged("agreements.fields", a.municipality_code6));
      a.fields = std::move(*parsed);
    }
    a.include_arranging_at_home = s.Int(7) != 0;
    a.consent_required = s.Int(8) != 0;
    a.roll_up_to_city = s.Int(9) != 0;
    out.push_back(std::move(a));
  }
  return out;
}

core::Result<int64_t> SqliteDistributionStore::AddConsent(const ConsentRecord& r) {
  if (r.consent == distribution::Consent::kUnknown) {
    return core::Fail(core::Code::kInvalidArgument, "同意は「あり」か「撤回」で記録してください",
                      "consent must be given or withdrawn", std::to_string(r.patient_id));
  }
  std::lock_guard lock(mu_);
  ASSIGN_OR_RETURN(SqliteStmt s,
                   db_->Prepare("INSERT INTO consents (patient_id, consent, source, on_date, "
                                "recorded_at) VALUES (?1, ?2, ?3, ?4, ?5)"));
  s.Bind(1, r.patient_id)
      .BindText(2, ConsentText(r.consent))
      .BindText(3, r.source)
      .BindText(4, r.on.ToIso())
      .BindText(5, r.recorded_at);
  RETURN_IF_ERROR(s.Run());
  return db_->LastInsertRowid();
}

core::Result<std::unordered_map<int64_t, distribution::Consent>>
SqliteDistributionStore::LatestConsents() {
  std::lock_guard lock(mu_);
  // Ascending (date, id): the last record seen for a patient is the latest.
  ASSIGN_OR_RETURN(SqliteStmt s, db_->Prepare("SELECT patient_id, consent FROM consents "
                                              "ORDER BY patient_id, on_date, id"));
  std::unordered_map<int64_t, distribution::Consent> out;
  for (;;) {
    ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) break;
    out[s.Int(0)] = s.Text(1) == "withdrawn" ? distribution::Consent::kWithdrawn
                                             : distribution::Consent::kGiven;
  }
  return out;
}

core::Result<std::vector<ConsentRecord>> SqliteDistributionStore::ConsentsOf(int64_t patient_id) {
  std::lock_guard lock(mu_);
  ASSIGN_OR_RETURN(SqliteStmt s,
                   db_->Prepare("SELECT id, patient_id, consent, source, on_date, recorded_at "
                                "FROM consents WHERE patient_id = ?1 ORDER BY on_date, id"));
  s.Bind(1, patient_id);
  std::vector<ConsentRecord> out;
  for (;;) {
    ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) break;
    ConsentRecord r;
    r.id = s.Int(0);
    r.patient_id = s.Int(1);
    r.consent = s.Text(2) == "withdrawn" ? distribution::Consent::kWithdrawn
                                         : distribution::Consent::kGiven;
    r.source = s.Text(3);
    const auto on = core::Date::ParseIso(s.Text(4));
    if (!on) return std::unexpected(Damaged("consents.on_date", std::to_string(r.id)));
    r.on = *on;
    r.recorded_at = s.Text(5);
    out.push_back(std::move(r));
  }
  return out;
}

core::Status SqliteDistributionStore::InsertPackage(const PackageRecord& p,
                                                    const std::vector<PackageFileBlob>& files) {
  std::lock_guard lock(mu_);
  Transaction tx(*db_);
  RETURN_IF_ERROR(tx.Begin());
  ASSIGN_OR_RETURN(SqliteStmt exists, db_->Prepare("SELECT 1 FROM packages WHERE id = ?1"));
  exists.BindText(1, p.id);
  ASSIGN_OR_RETURN(bool found, exists.Step());
  if (found) {
    return core::Fail(core::Code::kAlreadyExists, "このパッケージは作成済みです",
                      "package already built", p.id);
  }
  ASSIGN_OR_RETURN(SqliteStmt ins,
                   db_->Prepare(std::string("INSERT INTO packages (") + kPackageColumns +
                                ") VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14)"));
  ins.BindText(1, p.id)
      .BindText(2, p.municipality_code6)
      .BindText(3, p.municipality_name)
      .BindText(4, p.cutoff)
      .Bind(5, p.cutoff_unix)
      .Bind(6, int64_t{p.agreement_version})
      .Bind(7, p.rows)
      .BindText(8, p.counts_json)
      .BindText(9, p.manifest_json)
      .BindText(10, p.manifest_sha256)
      .BindText(11, p.snapshot_json)
      .BindText(12, p.created_at)
      .BindText(13, p.acknowledged_by)
      .BindText(14, p.acknowledged_at);
  RETURN_IF_ERROR(ins.Run());
  ASSIGN_OR_RETURN(SqliteStmt file,
                   db_->Prepare("INSERT INTO package_files (package_id, ord, name, format, "
                                "encoding, sha256, size, bytes) VALUES (?1,?2,?3,?4,?5,?6,?7,?8)"));
  int64_t ord = 0;
  for (const PackageFileBlob& f : files) {
    file.BindText(1, p.id)
        .Bind(2, ord++)
        .BindText(3, f.name)
        .BindText(4, f.format)
        .BindText(5, f.encoding)
        .BindText(6, f.sha256)
        .Bind(7, static_cast<int64_t>(f.bytes.size()));
    sqlite3_bind_blob64(file.get(), 8, f.bytes.data(), f.bytes.size(), SQLITE_STATIC);
    RETURN_IF_ERROR(file.Run());
  }
  return tx.Commit();
}

core::Result<std::optional<PackageRecord>> SqliteDistributionStore::QueryOnePackage(
    const std::string& where, const std::string& a, int64_t b) {
  ASSIGN_OR_RETURN(SqliteStmt s,
                   db_->Prepare(std::string("SELECT ") + kPackageColumns + " FROM packages " + where));
  s.BindText(1, a);
  if (b != 0) s.Bind(2, b);
  ASSIGN_OR_RETURN(bool row, s.Step());
  if (!row) return std::optional<PackageRecord>();
  return std::optional<PackageRecord>(ReadPackage(s));
}

core::Result<std::optional<PackageRecord>> SqliteDistributionStore::GetPackage(
    const std::string& id) {
  std::lock_guard lock(mu_);
  return QueryOnePackage("WHERE id = ?1", id, 0);
}

core::Result<std::optional<PackageRecord>> SqliteDistributionStore::PreviousPackage(
    const std::string& municipality_code6, int64_t cutoff_unix) {
  std::lock_guard lock(mu_);
  return QueryOnePackage(
      "WHERE municipality_code6 = ?1 AND cutoff_unix < ?2 ORDER BY cutoff_unix DESC LIMIT 1",
      municipality_code6, cutoff_unix);
}

core::Result<std::vector<PackageRecord>> SqliteDistributionStore::ListPackages(
    const PackageFilter& filter) {
  std::lock_guard lock(mu_);
  ASSIGN_OR_RETURN(
      SqliteStmt s,
      db_->Prepare(std::string("SELECT ") + kPackageColumns +
                   " FROM packages WHERE (?1 = '' OR municipality_code6 = ?1)"
                   " AND (?2 = 0 OR acknowledged_at = '') AND (?3 = '' OR created_at < ?3)"
                   " ORDER BY cutoff_unix, municipality_code6"));
  s.BindText(1, filter.municipality_code6)
      .Bind(2, int64_t{filter.unacknowledged_only})
      .BindText(3, filter.created_before);
  std::vector<PackageRecord> out;
  for (;;) {
    ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) break;
    out.push_back(ReadPackage(s));
  }
  return out;
}

core::Result<std::vector<PackageFileBlob>> SqliteDistributionStore::PackageFiles(
    const std::string& id, bool with_bytes) {
  std::lock_guard lock(mu_);
  ASSIGN_OR_RETURN(SqliteStmt s,
                   db_->Prepare(std::string("SELECT name, format, encoding, sha256, ") +
                                (with_bytes ? "bytes" : "NULL") +
                                " FROM package_files WHERE package_id = ?1 ORDER BY ord"));
  s.BindText(1, id);
  std::vector<PackageFileBlob> out;
  for (;;) {
    ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) break;
    PackageFileBlob f;
    f.name = s.Text(0);
    f.format = s.Text(1);
    f.encoding = s.Text(2);
    f.sha256 = s.Text(3);
    if (with_bytes) {
      const void* data = sqlite3_column_blob(s.get(), 4);
      const int size = sqlite3_column_bytes(s.get(), 4);
      if (data != nullptr) f.bytes.assign(static_cast<const char*>(data), static_cast<size_t>(size));
    }
    out.push_back(std::move(f));
  }
  return out;
}

core::Result<PackageRecord> SqliteDistributionStore::Acknowledge(const std::string& id,
                                                                 const std::string& by,
                                                                 const std::string& at) {
  std::lock_guard lock(mu_);
  ASSIGN_OR_RETURN(SqliteStmt s,
                   db_->Prepare("UPDATE packages SET acknowledged_by = ?2, acknowledged_at = ?3 "
                                "WHERE id = ?1 AND acknowledged_at = ''"));
  s.BindText(1, id).BindText(2, by).BindText(3, at);
  RETURN_IF_ERROR(s.Run());
  ASSIGN_OR_RETURN(std::optional<PackageRecord> p, QueryOnePackage("WHERE id = ?1", id, 0));
  if (!p) {
    return core::Fail(core::Code::kNotFound, "パッケージが見つかりません", "package not found", id);
  }
  return *p;
}

core::Result<int64_t> SqliteDistributionStore::AddLastmile(const LastmileRecord& r) {
  std::lock_guard lock(mu_);
  ASSIGN_OR_RETURN(
      SqliteStmt s,
      db_->Prepare("INSERT INTO lastmile (patient_id, ref, package_id, municipality_code6, "
                   "on_date, kind, note, recorded_by, recorded_at) "
                   "VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9)"));
  s.Bind(1, r.patient_id)
      .BindText(2, r.ref)
      .BindText(3, r.package_id)
      .BindText(4, r.municipality_code6)
      .BindText(5, r.on.ToIso())
      .BindText(6, r.kind)
      .BindText(7, r.note)
      .BindText(8, r.recorded_by)
      .BindText(9, r.recorded_at);
  RETURN_IF_ERROR(s.Run());
  return db_->LastInsertRowid();
}

core::Result<std::vector<LastmileRecord>> SqliteDistributionStore::ListLastmile(
    int64_t patient_id, const std::string& municipality_code6) {
  std::lock_guard lock(mu_);
  ASSIGN_OR_RETURN(
      SqliteStmt s,
      db_->Prepare("SELECT id, patient_id, ref, package_id, municipality_code6, on_date, kind, "
                   "note, recorded_by, recorded_at FROM lastmile "
                   "WHERE (?1 = 0 OR patient_id = ?1) AND (?2 = '' OR municipality_code6 = ?2) "
                   "ORDER BY on_date, id"));
  s.Bind(1, patient_id).BindText(2, municipality_code6);
  std::vector<LastmileRecord> out;
  for (;;) {
    ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) break;
    LastmileRecord r;
    r.id = s.Int(0);
    r.patient_id = s.Int(1);
    r.ref = s.Text(2);
    r.package_id = s.Text(3);
    r.municipality_code6 = s.Text(4);
    const auto on = core::Date::ParseIso(s.Text(5));
    if (!on) return std::unexpected(Damaged("lastmile.on_date", std::to_string(r.id)));
    r.on = *on;
    r.kind = s.Text(6);
    r.note = s.Text(7);
    r.recorded_by = s.Text(8);
    r.recorded_at = s.Text(9);
    out.push_back(std::move(r));
  }
  return out;
}

core::Result<int64_t> SqliteDistributionStore::AddAlert(const AlertRecord& a) {
  std::lock_guard lock(mu_);
  ASSIGN_OR_RETURN(
      SqliteStmt s,
      db_->Prepare("INSERT INTO alerts (patient_id, health_center, municipality_code6, kind, "
                   "message_ja, on_date, raised_at, resolved) VALUES (?1,?2,?3,?4,?5,?6,?7,?8)"));
  s.Bind(1, a.patient_id)
      .BindText(2, a.health_center)
      .BindText(3, a.municipality_code6)
      .BindText(4, a.kind)
      .BindText(5, a.message_ja)
      .BindText(6, a.on.ToIso())
      .BindText(7, a.raised_at)
      .Bind(8, int64_t{a.resolved});
  RETURN_IF_ERROR(s.Run());
  return db_->LastInsertRowid();
}

core::Result<std::vector<AlertRecord>> SqliteDistributionStore::ListAlerts(
    const std::string& health_center, bool include_resolved) {
  std::lock_guard lock(mu_);
  ASSIGN_OR_RETURN(
      SqliteStmt s,
      db_->Prepare("SELECT id, patient_id, health_center, municipality_code6, kind, message_ja, "
                   "on_date, raised_at, resolved FROM alerts "
                   "WHERE (?1 = '' OR health_center = ?1) AND (?2 = 1 OR resolved = 0) "
                   "ORDER BY id"));
  s.BindText(1, health_center).Bind(2, int64_t{include_resolved});
  std::vector<AlertRecord> out;
  for (;;) {
    ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) break;
    AlertRecord a;
    a.id = s.Int(0);
    a.patient_id = s.Int(1);
    a.health_center = s.Text(2);
    a.municipality_code6 = s.Text(3);
    a.kind = s.Text(4);
    a.message_ja = s.Text(5);
    const auto on = core::Date::ParseIso(s.Text(6));
    if (!on) return std::unexpected(Damaged("alerts.on_date", std::to_string(a.id)));
    a.on = *on;
    a.raised_at = s.Text(7);
    a.resolved = s.Int(8) != 0;
    out.push_back(std::move(a));
  }
  return out;
}

}  // namespace ichigen::store
