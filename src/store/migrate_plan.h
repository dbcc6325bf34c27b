// The plan of a migration (migrate.h): the two sides' catalogues — tables,
// columns, applied migrations, the target's foreign keys — and the checks made
// before anything is copied (invariants 1-3 of migrate.h), apart from the copy
// itself (migrate.cc). Internal to the migration.
// Thread-safety: plain values and functions; a Source's connections are used
// by one thread at a time.
#pragma once

#include <map>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/result.h"
#include "store/migrate.h"
#include "store/pg_handle.h"
#include "store/sqlite_handle.h"

namespace ichigen::store::migration {

// How PostgreSQL returns a column, for the canonical encoding.
enum class PgKind { kInteger, kBoolean, kReal, kBytes, kText };

struct SourceTable {
  std::string name;
  SqliteDb* db = nullptr;
  std::string file;
  std::vector<std::string> columns;  // in the source's order
};

struct TargetTable {
  std::vector<std::string> columns;
  std::map<std::string, PgKind> kinds;
};

struct Source {
  std::vector<std::unique_ptr<SqliteDb>> files;
  std::vector<SourceTable> tables;
  std::set<int> versions;
};

struct Target {
  std::map<std::string, TargetTable> tables;  // without schema_migrations
  std::set<int> versions;
  std::vector<std::pair<std::string, std::string>> references;  // (child, parent)
};

// An SQL identifier, double-quoted (for both dialects).
std::string Quoted(std::string_view name);
// Quoted names, comma-separated.
std::string ColumnList(const std::vector<std::string>& columns);

// The main SQLite file and, if present, its accounts companion file, each in a
// read transaction (one snapshot) and only read.
core::Result<Source> ReadSource(const std::string& path);
// The target's tables (without schema_migrations), migrations and foreign keys.
core::Result<Target> ReadTarget(PgConn& conn);
// Invariant 1: the versions both sides have, or kFailedPrecondition.
core::Result<std::vector<int>> CheckVersions(const Source& source, const Target& target);
// Invariant 2: the source tables to copy (into `copied`); the skipped and
// the target-only tables into `report`.
core::Status MatchTables(const Source& source, const Target& target, bool skip_unknown,
                         std::vector<const SourceTable*>& copied, MigrationReport& report);
// Parents before children (the target's foreign keys); otherwise by name.
std::vector<const SourceTable*> InDependencyOrder(std::vector<const SourceTable*> tables,
                                                  const Target& target);
// Tables whose rows a fresh schema writes itself (the distribution store's
// secret for package references): they count as empty, and the copy
// replaces their rows with the source's.
bool IsSeededTable(std::string_view name);
// Invariant 3: kFailedPrecondition naming the target's tables that hold rows.
core::Status CheckTargetEmpty(PgConn& conn, const Target& target);

}  // namespace ichigen::store::migration
