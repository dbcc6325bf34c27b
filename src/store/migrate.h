// Moving a prefecture's SQLite store to PostgreSQL (`ichigen migrate`), and
// recomparing the two afterwards (`--verify-only`).
//
// The source is the main SQLite file and, when it exists, its companion
// `<db>.accounts.db` (accounts and the audit trail). The target is a
// PostgreSQL database whose schemas the caller has created by opening every
// PostgreSQL store it has (`prepare_target`), so that this file names no store
// and follows whatever tracks (core, accounts, audit, stats, distribution)
// exist on PostgreSQL when it runs.
//
// Invariants of a migration:
//  1. For every migration track (versions / 1000) that both sides have, the
//     source and the target have applied the same migrations; otherwise
//     nothing is copied (kFailedPrecondition, saying which side to upgrade).
//  2. Every table of the source is either copied or named: a table the target
//     does not have fails the migration unless `skip_unknown_tables` is set,
//     and is then listed in the report as skipped. A table whose columns
//     differ between the sides fails it.
//  3. The target holds no rows before the copy (kFailedPrecondition
//     otherwise): a migration never mixes two stores.
//  4. Tables are copied parent first (the target's foreign keys), each with
//     one COPY, all in one transaction on the target; identity sequences are
//     set past the largest id copied. The transaction commits only if every
//     table's row count and checksum, read back from PostgreSQL inside it,
//     equal the source's: a failed or mismatched migration leaves the target
//     as empty as it was.
//  5. The checksum of a table is the sum modulo 2^128 of the first 16 bytes
//     of SHA-256 over each row's canonical encoding (below), so it does not
//     depend on the order either side returns rows in. The canonical encoding
//     of a value is the same from SQLite's storage classes and PostgreSQL's
//     types: NULL "n"; integer (and boolean) "i<decimal>;"; floating point
//     "r<shortest round-trip form>;"; text "t<bytes>:<UTF-8>"; blob / bytea
//     "b<bytes>:<bytes>". A value that changes kind on the way (text "12" in
//     an integer column) therefore counts as a mismatch.
//  6. The source is read in one read transaction (a snapshot), and is never
//     written. The target is not in use meanwhile: the copy holds the batch
//     writers' advisory lock and, for the dropped indexes and foreign keys,
//     exclusive locks on the copied tables until it commits.
//
// Text must be valid UTF-8 without NUL bytes (PostgreSQL cannot store other
// text); a value that is not fails the migration naming its table and column.
//
// Thread-safety: Migrate and Compare run on the calling thread; nothing is shared.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "core/result.h"

namespace ichigen::store {

// One table's outcome. Row counts are -1 and checksums empty for a side that
// was not read (a migration that stopped before reading it).
struct TableComparison {
  std::string table;
  int64_t source_rows = -1;
  int64_t target_rows = -1;
  std::string source_checksum;  // 32 hex digits
  std::string target_checksum;
  bool ok = false;
};

struct MigrationReport {
  std::vector<TableComparison> tables;        // in copy order
  std::vector<std::string> skipped_tables;    // in the source, unknown to the target
  std::vector<std::string> target_only_tables;  // on PostgreSQL only (left empty)
  std::vector<int> versions;                  // the migrations both sides have
  int64_t sequences_reset = 0;
  bool committed = false;                     // Migrate: the copy was kept
  bool ok = false;                            // every table compared equal
};

// Progress of a long table, for people (stderr).
struct MigrationProgress {
  std::string table;
  std::string phase;  // "copy" or "verify"
  int64_t rows_done = 0;
  int64_t rows_total = 0;
};

struct MigrationOptions {
  std::string source_path;  // the main SQLite file
  std::string target;       // libpq conninfo or postgresql:// URL
  // Copy every other table and list these instead of failing (invariant 2).
  bool skip_unknown_tables = false;
  // Opens every PostgreSQL store on `target`, creating and migrating its
  // schema. Required.
  std::function<core::Status(const std::string& target)> prepare_target;
  // Called every `progress_every` rows of a table (optional).
  std::function<void(const MigrationProgress&)> progress;
  int64_t progress_every = 100000;
};

// Copies the source into the empty target and compares them (invariants
// 1-6). A comparison that finds a difference is a report with ok = false and
// committed = false, not an error; errors are for what stopped the copy.
core::Result<MigrationReport> Migrate(const MigrationOptions& options);

// Recompares an already migrated target with its source without writing
// either (`ichigen migrate --verify-only`): versions and tables are checked
// as by Migrate, but the target may hold data.
core::Result<MigrationReport> CompareMigration(const MigrationOptions& options);

}  // namespace ichigen::store
