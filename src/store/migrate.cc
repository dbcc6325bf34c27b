#include "store/migrate.h"

#include <algorithm>
#include <charconv>
#include <filesystem>
#include <map>
#include <memory>
#include <set>

#include "store/migrate_encoding.h"
#include "store/pg_handle.h"
#include "store/sqlite_account_store.h"
#include "store/sqlite_handle.h"

namespace ichigen::store {

namespace {

using migration::AppendNumber;
using migration::CanonicalBytes;
using migration::CanonicalInteger;
using migration::CanonicalReal;
using migration::CopyBytea;
using migration::CopyText;
using migration::TableChecksum;

// The transaction-scoped advisory lock every PostgreSQL batch writer takes
// (postgres_store.cc): holding it, the migration keeps imports out until it
// commits.
constexpr int64_t kWriterLock = 0x1C41'6E00'0002;
constexpr size_t kCopyChunk = 1 << 20;
constexpr int kFetchRows = 10000;
constexpr const char* kMigrationsTable = "schema_migrations";

std::unexpected<core::Error> Precondition(std::string ja, std::string en, std::string context) {
  return core::Fail(core::Code::kFailedPrecondition, std::move(ja), std::move(en),
                    std::move(context));
}

std::string Quoted(std::string_view name) {
  std::string out = "\"";
  for (char c : name) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

std::string ColumnList(const std::vector<std::string>& columns) {
  std::string out;
  for (const std::string& column : columns) {
    if (!out.empty()) out += ", ";
    out += Quoted(column);
  }
  return out;
}

std::string Join(const std::vector<std::string>& names) {
  std::string out;
  for (const std::string& name : names) out += (out.empty() ? "" : ", ") + name;
  return out;
}

// --- The two sides' catalogues. ---------------------------------------------

// How PostgreSQL returns a column, for the canonical encoding.
enum class PgKind { kInteger, kBoolean, kReal, kBytes, kText };

PgKind KindOfPgType(std::string_view data_type) {
  if (data_type == "bigint" || data_type == "integer" || data_type == "smallint") {
    return PgKind::kInteger;
  }
  if (data_type == "boolean") return PgKind::kBoolean;
  if (data_type == "double precision" || data_type == "real" || data_type == "numeric") {
    return PgKind::kReal;
  }
  if (data_type == "bytea") return PgKind::kBytes;
  return PgKind::kText;
}

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

core::Result<std::vector<std::string>> SqliteColumns(SqliteDb& db, const std::string& table) {
  ASSIGN_OR_RETURN(SqliteStmt info, db.Prepare("SELECT name FROM pragma_table_info(?)"));
  info.BindText(1, table);
  std::vector<std::string> columns;
  while (true) {
    ASSIGN_OR_RETURN(bool row, info.Step());
    if (!row) break;
    columns.push_back(info.Text(0));
  }
  return columns;
}

core::Status ReadSourceFile(Source& source, const std::string& path) {
  ASSIGN_OR_RETURN(std::unique_ptr<SqliteDb> db, SqliteDb::OpenReadOnly(path));
  // One snapshot for the whole migration (invariant 6).
  RETURN_IF_ERROR(db->Exec("BEGIN"));
  ASSIGN_OR_RETURN(SqliteStmt tables,
                   db->Prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND "
                               "name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name"));
  bool has_versions = false;
  while (true) {
    ASSIGN_OR_RETURN(bool row, tables.Step());
    if (!row) break;
    const std::string name = tables.Text(0);
    if (name == kMigrationsTable) {
      has_versions = true;
      continue;
    }
    ASSIGN_OR_RETURN(std::vector<std::string> columns, SqliteColumns(*db, name));
    source.tables.push_back(SourceTable{name, db.get(), path, std::move(columns)});
  }
  if (!has_versions) {
    return Precondition("移行元は Ichigen のデータベースではありません（schema_migrations がありません）",
                        "the source is not an Ichigen database (no schema_migrations)", path);
  }
  ASSIGN_OR_RETURN(SqliteStmt versions, db->Prepare("SELECT version FROM schema_migrations"));
  while (true) {
    ASSIGN_OR_RETURN(bool row, versions.Step());
    if (!row) break;
    source.versions.insert(static_cast<int>(versions.Int(0)));
  }
  source.files.push_back(std::move(db));
  return core::Ok();
}

core::Result<Source> ReadSource(const std::string& path) {
  if (path.empty() || !std::filesystem::is_regular_file(path)) {
    return core::Fail(core::Code::kNotFound, "移行元の SQLite ファイルがありません",
                      "the source SQLite file does not exist", path);
  }
  Source source;
  RETURN_IF_ERROR(ReadSourceFile(source, path));
  // Accounts and the audit trail live in the companion file (if any).
  const std::string accounts = AccountsDbPath(path);
  if (std::filesystem::is_regular_file(accounts)) RETURN_IF_ERROR(ReadSourceFile(source, accounts));
  return source;
}

struct Target {
  std::map<std::string, TargetTable> tables;  // without schema_migrations
  std::set<int> versions;
  std::vector<std::pair<std::string, std::string>> references;  // (child, parent)
};

core::Result<Target> ReadTarget(PgConn& conn) {
  Target target;
  ASSIGN_OR_RETURN(PgResult columns,
                   conn.Query("SELECT c.table_name, c.column_name, c.data_type "
                              "FROM information_schema.columns c JOIN information_schema.tables t "
                              "ON t.table_schema = c.table_schema AND t.table_name = c.table_name "
                              "WHERE c.table_schema = current_schema() "
                              "AND t.table_type = 'BASE TABLE' "
                              "ORDER BY c.table_name, c.ordinal_position"));
  bool has_versions = false;
  for (int r = 0; r < columns.rows(); ++r) {
    const std::string table = columns.Text(r, 0);
    if (table == kMigrationsTable) {
      has_versions = true;
      continue;
    }
    TargetTable& t = target.tables[table];
    t.columns.push_back(columns.Text(r, 1));
    t.kinds[columns.Text(r, 1)] = KindOfPgType(columns.View(r, 2));
  }
  if (!has_versions) {
    return Precondition("移行先に Ichigen のスキーマがありません",
                        "the target has no Ichigen schema", "schema_migrations");
  }
  ASSIGN_OR_RETURN(PgResult versions, conn.Query("SELECT version FROM schema_migrations"));
  for (int r = 0; r < versions.rows(); ++r) {
    target.versions.insert(static_cast<int>(versions.Int(r, 0)));
  }
  ASSIGN_OR_RETURN(PgResult references,
                   conn.Query("SELECT child.relname, parent.relname FROM pg_constraint c "
                              "JOIN pg_class child ON child.oid = c.conrelid "
                              "JOIN pg_class parent ON parent.oid = c.confrelid "
                              "JOIN pg_namespace n ON n.oid = child.relnamespace "
                              "WHERE c.contype = 'f' AND n.nspname = current_schema()"));
  for (int r = 0; r < references.rows(); ++r) {
    target.references.emplace_back(references.Text(r, 0), references.Text(r, 1));
  }
  return target;
}

// --- Checks before anything is copied. --------------------------------------

std::map<int, std::set<int>> ByTrack(const std::set<int>& versions) {
  std::map<int, std::set<int>> tracks;
  for (int version : versions) tracks[version / 1000].insert(version);
  return tracks;
}

std::string TrackName(int track) {
  switch (track) {
    case 0: return "core";
    case 1: return "accounts";
    case 2: return "audit";
    case 3: return "stats";
    case 4: return "distribution";
    default: return "track " + std::to_string(track * 1000);
  }
}

// Invariant 1. Returns the versions both sides have.
core::Result<std::vector<int>> CheckVersions(const Source& source, const Target& target) {
  const auto source_tracks = ByTrack(source.versions);
  const auto target_tracks = ByTrack(target.versions);
  std::vector<int> common;
  for (const auto& [track, versions] : source_tracks) {
    const auto found = target_tracks.find(track);
    if (found == target_tracks.end()) continue;  // its tables are unknown to the target
    if (versions != found->second) {
      const int source_latest = *versions.rbegin();
      const int target_latest = *found->second.rbegin();
      const std::string context = TrackName(track) + ": source " + std::to_string(source_latest) +
                                  ", target " + std::to_string(target_latest);
      if (source_latest < target_latest) {
        return Precondition(
            "移行元のスキーマの版が移行先より古いため移行できません。この版の ichigen で移行元を一度開いて"
            "更新してください（例: ichigen --db 移行元 batches）",
            "the source's schema version is older than the target's: open the source once with "
            "this ichigen to upgrade it (e.g. ichigen --db SOURCE batches), then migrate",
            context);
      }
      return Precondition(
          "移行元と移行先のスキーマの版が違うため移行できません（移行元の方が新しい、または一部が異なります）。"
          "移行元を作った版の ichigen で移行してください",
          "the source's and the target's schema versions differ (the source is newer, or they "
          "diverge): migrate with the ichigen that wrote the source",
          context);
    }
    common.insert(common.end(), versions.begin(), versions.end());
  }
  return common;
}

// Invariant 2: the tables to copy, the ones skipped, and the target's own.
core::Status MatchTables(const Source& source, const Target& target, bool skip_unknown,
                         std::vector<const SourceTable*>& copied, MigrationReport& report) {
  std::vector<std::string> unknown;
  for (const SourceTable& table : source.tables) {
    const auto found = target.tables.find(table.name);
    if (found == target.tables.end()) {
      unknown.push_back(table.name);
      continue;
    }
    std::vector<std::string> source_columns = table.columns;
    std::vector<std::string> target_columns = found->second.columns;
    std::sort(source_columns.begin(), source_columns.end());
    std::sort(target_columns.begin(), target_columns.end());
    if (source_columns != target_columns) {
      return Precondition(
          "移行元と移行先で表の列が違います", "a table's columns differ between source and target",
          table.name + ": source (" + Join(source_columns) + "), target (" +
              Join(target_columns) + ")");
    }
    copied.push_back(&table);
  }
  if (!unknown.empty() && !skip_unknown) {
    return Precondition(
        "移行先にない表が移行元にあります。移行先の版で対応するまで待つか、--skip-unknown-tables "
        "で除いて移行してください（除いた表は移行されません）",
        "the source has tables the target does not know: wait for a version of ichigen that "
        "stores them on PostgreSQL, or leave them out with --skip-unknown-tables (they are not "
        "migrated)",
        Join(unknown));
  }
  report.skipped_tables = unknown;
  for (const auto& [name, table] : target.tables) {
    const bool in_source = std::any_of(source.tables.begin(), source.tables.end(),
                                       [&](const SourceTable& t) { return t.name == name; });
    if (!in_source) report.target_only_tables.push_back(name);
  }
  return core::Ok();
}

// Parents before children (the target's foreign keys); otherwise by name.
std::vector<const SourceTable*> InDependencyOrder(std::vector<const SourceTable*> tables,
                                                  const Target& target) {
  std::sort(tables.begin(), tables.end(),
            [](const SourceTable* a, const SourceTable* b) { return a->name < b->name; });
  std::vector<const SourceTable*> ordered;
  std::set<std::string> placed;
  while (!tables.empty()) {
    auto ready = std::find_if(tables.begin(), tables.end(), [&](const SourceTable* t) {
      return std::none_of(target.references.begin(), target.references.end(), [&](const auto& r) {
        return r.first == t->name && r.second != t->name && !placed.contains(r.second) &&
               std::any_of(tables.begin(), tables.end(),
                           [&](const SourceTable* u) { return u->name == r.second; });
      });
    });
    if (ready == tables.end()) ready = tables.begin();  // a cycle: the foreign keys will say
    placed.insert((*ready)->name);
    ordered.push_back(*ready);
    tables.erase(ready);
  }
  return ordered;
}

// Invariant 3.
core::Status CheckTargetEmpty(PgConn& conn, const Target& target) {
  std::vector<std::string> holding;
  for (const auto& [name, table] : target.tables) {
    ASSIGN_OR_RETURN(PgResult any, conn.Query("SELECT EXISTS (SELECT 1 FROM " + Quoted(name) + ")"));
    if (any.View(0, 0) == "t") holding.push_back(name);
  }
  if (holding.empty()) return core::Ok();
  return Precondition(
      "移行先にすでにデータがあります。空のデータベースへ移行してください（比べ直すだけなら --verify-only）",
      "the target already holds data: migrate into an empty database (or recompare with "
      "--verify-only)",
      Join(holding));
}

// --- Reading, copying and checking one table. -------------------------------

struct SideSummary {
  int64_t rows = 0;
  std::string checksum;
};

core::Result<int64_t> CountSourceRows(const SourceTable& table) {
  ASSIGN_OR_RETURN(SqliteStmt count, table.db->Prepare("SELECT count(*) FROM " + Quoted(table.name)));
  ASSIGN_OR_RETURN(bool row, count.Step());
  return row ? count.Int(0) : 0;
}

void Report(const MigrationOptions& options, const std::string& table, const char* phase,
            int64_t done, int64_t total) {
  if (options.progress && total >= options.progress_every) {
    options.progress(MigrationProgress{table, phase, done, total});
  }
}

// Reads every row of a source table: its canonical encoding goes to the
// checksum, and, when `copy` is set, its COPY line to the target.
core::Result<SideSummary> ReadSourceTable(const SourceTable& table, PgConn* copy,
                                          const MigrationOptions& options) {
  ASSIGN_OR_RETURN(int64_t total, CountSourceRows(table));
  ASSIGN_OR_RETURN(SqliteStmt select, table.db->Prepare("SELECT " + ColumnList(table.columns) +
                                                        " FROM " + Quoted(table.name)));
  if (copy != nullptr) {
    RETURN_IF_ERROR(copy->CopyBegin("COPY " + Quoted(table.name) + " (" +
                                    ColumnList(table.columns) + ") FROM STDIN"));
  }
  TableChecksum checksum;
  std::string line;
  std::string buffer;
  auto read = [&]() -> core::Status {
    sqlite3_stmt* stmt = select.get();
    const int columns = static_cast<int>(table.columns.size());
    while (true) {
      ASSIGN_OR_RETURN(bool row, select.Step());
      if (!row) break;
      line.clear();
      for (int c = 0; c < columns; ++c) {
        if (c > 0) buffer += '\t';
        switch (sqlite3_column_type(stmt, c)) {
          case SQLITE_NULL:
            line += 'n';
            buffer += "\\N";
            break;
          case SQLITE_INTEGER: {
            const int64_t value = sqlite3_column_int64(stmt, c);
            CanonicalInteger(line, value);
            AppendNumber(buffer, value);
            break;
          }
          case SQLITE_FLOAT: {
            const double value = sqlite3_column_double(stmt, c);
            CanonicalReal(line, value);
            AppendNumber(buffer, value);
            break;
          }
          case SQLITE_BLOB: {
            const void* data = sqlite3_column_blob(stmt, c);
            const std::string_view bytes(static_cast<const char*>(data),
                                         static_cast<size_t>(sqlite3_column_bytes(stmt, c)));
            CanonicalBytes(line, 'b', bytes);
            CopyBytea(buffer, bytes);
            break;
          }
          default: {
            const auto* data = sqlite3_column_text(stmt, c);
            const std::string_view text(reinterpret_cast<const char*>(data),
                                        static_cast<size_t>(sqlite3_column_bytes(stmt, c)));
            if (!IsStorableText(text)) {
              return core::Fail(core::Code::kInvalidArgument,
                                "PostgreSQL に保存できない文字（不正な UTF-8 または NUL）を含む値があります",
                                "a value holds text PostgreSQL cannot store (invalid UTF-8 or NUL)",
                                table.name + "." + table.columns[static_cast<size_t>(c)] +
                                    ", row " + std::to_string(checksum.rows() + 1));
            }
            CanonicalBytes(line, 't', text);
            CopyText(buffer, text);
          }
        }
      }
      buffer += '\n';
      checksum.AddRow(line);
      if (copy != nullptr && buffer.size() >= kCopyChunk) {
        RETURN_IF_ERROR(copy->CopySend(buffer));
        buffer.clear();
      } else if (copy == nullptr) {
        buffer.clear();
      }
      if (checksum.rows() % options.progress_every == 0) {
        Report(options, table.name, copy ? "copy" : "read", checksum.rows(), total);
      }
    }
    if (copy != nullptr && !buffer.empty()) RETURN_IF_ERROR(copy->CopySend(buffer));
    return core::Ok();
  };
  auto status = read();
  if (copy != nullptr) {
    auto ended = copy->CopyEnd();
    RETURN_IF_ERROR(status);
    RETURN_IF_ERROR(ended);
  } else {
    RETURN_IF_ERROR(status);
  }
  Report(options, table.name, copy ? "copy" : "read", checksum.rows(), total);
  return SideSummary{checksum.rows(), checksum.Hex()};
}

// Reads a table back from PostgreSQL (in the connection's transaction, if
// any) and computes the same checksum.
core::Result<SideSummary> ReadTargetTable(PgConn& conn, const SourceTable& table,
                                          const TargetTable& target, int64_t expected_rows,
                                          const MigrationOptions& options) {
  std::vector<PgKind> kinds;
  for (const std::string& column : table.columns) kinds.push_back(target.kinds.at(column));
  TableChecksum checksum;
  std::string line;
  std::string bytes;
  RETURN_IF_ERROR(conn.ForEachChunk(
      "SELECT " + ColumnList(table.columns) + " FROM " + Quoted(table.name), {}, kFetchRows,
      [&](const PgResult& chunk) -> core::Status {
        for (int r = 0; r < chunk.rows(); ++r) {
          line.clear();
          for (int c = 0; c < static_cast<int>(kinds.size()); ++c) {
            if (chunk.IsNull(r, c)) {
              line += 'n';
              continue;
            }
            const std::string_view value = chunk.View(r, c);
            switch (kinds[static_cast<size_t>(c)]) {
              case PgKind::kInteger:
                CanonicalInteger(line, chunk.Int(r, c));
                break;
              case PgKind::kBoolean:
                CanonicalInteger(line, value == "t" ? 1 : 0);
                break;
              case PgKind::kReal:
                CanonicalReal(line, chunk.Real(r, c));
                break;
              case PgKind::kBytes:
                if (!migration::DecodeByteaHex(value, bytes)) {
                  return core::Fail(core::Code::kInternal,
                                    "PostgreSQL のバイナリ値を読み取れません",
                                    "cannot read a bytea value from PostgreSQL",
                                    table.name + "." + table.columns[static_cast<size_t>(c)]);
                }
                CanonicalBytes(line, 'b', bytes);
                break;
              case PgKind::kText:
                CanonicalBytes(line, 't', value);
                break;
            }
          }
          checksum.AddRow(line);
          if (checksum.rows() % options.progress_every == 0) {
            Report(options, table.name, "verify", checksum.rows(), expected_rows);
          }
        }
        return core::Ok();
      }));
  return SideSummary{checksum.rows(), checksum.Hex()};
}

// Sets every identity sequence of the copied tables past the largest id.
core::Result<int64_t> ResetSequences(PgConn& conn, const std::vector<const SourceTable*>& tables) {
  int64_t reset = 0;
  for (const SourceTable* table : tables) {
    PgParams params;
    params.AddText(Quoted(table->name)).AddText(Quoted(table->name));
    ASSIGN_OR_RETURN(PgResult sequences,
                     conn.Query("SELECT a.attname, pg_get_serial_sequence($1, a.attname) "
                                "FROM pg_attribute a WHERE a.attrelid = $2::regclass "
                                "AND a.attnum > 0 AND NOT a.attisdropped "
                                "AND pg_get_serial_sequence($1, a.attname) IS NOT NULL",
                                params));
    for (int r = 0; r < sequences.rows(); ++r) {
      PgParams sequence;
      sequence.AddText(sequences.Text(r, 1));
      ASSIGN_OR_RETURN(PgResult set,
                       conn.Query("SELECT setval($1::regclass, COALESCE((SELECT MAX(" +
                                      Quoted(sequences.Text(r, 0)) + ") FROM " +
                                      Quoted(table->name) + "), 0) + 1, false)",
                                  sequence));
      (void)set;
      ++reset;
    }
  }
  return reset;
}

// The target's non-unique indexes and foreign keys on the copied tables are
// dropped inside the transaction before the copy and made again after it,
// as pg_restore does: one index build by sort and one validating join per
// foreign key instead of an index insertion and a trigger per row. The unique
// ones (primary keys, UNIQUE) stay and check every row as it comes.
struct DeferredSchema {
  std::vector<std::string> drop;
  std::vector<std::string> create;  // in order: indexes, then foreign keys
};

core::Result<DeferredSchema> DeferIndexesAndForeignKeys(
    PgConn& conn, const std::vector<const SourceTable*>& tables) {
  std::set<std::string> copied;
  for (const SourceTable* table : tables) copied.insert(table->name);
  DeferredSchema deferred;
  std::vector<std::string> foreign_keys;
  ASSIGN_OR_RETURN(PgResult keys,
                   conn.Query("SELECT t.relname, c.conname, pg_get_constraintdef(c.oid) "
                              "FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid "
                              "JOIN pg_namespace n ON n.oid = t.relnamespace "
                              "WHERE c.contype = 'f' AND n.nspname = current_schema() "
                              "ORDER BY t.relname, c.conname"));
  for (int r = 0; r < keys.rows(); ++r) {
    if (!copied.contains(keys.Text(r, 0))) continue;
    deferred.drop.push_back("ALTER TABLE " + Quoted(keys.View(r, 0)) + " DROP CONSTRAINT " +
                            Quoted(keys.View(r, 1)));
    foreign_keys.push_back("ALTER TABLE " + Quoted(keys.View(r, 0)) + " ADD CONSTRAINT " +
                           Quoted(keys.View(r, 1)) + " " + keys.Text(r, 2));
  }
  ASSIGN_OR_RETURN(PgResult indexes,
                   conn.Query("SELECT t.relname, x.relname, pg_get_indexdef(i.indexrelid) "
                              "FROM pg_index i JOIN pg_class x ON x.oid = i.indexrelid "
                              "JOIN pg_class t ON t.oid = i.indrelid "
                              "JOIN pg_namespace n ON n.oid = t.relnamespace "
                              "WHERE n.nspname = current_schema() AND NOT i.indisunique "
                              "AND NOT EXISTS (SELECT 1 FROM pg_constraint c "
                              "WHERE c.conindid = i.indexrelid) ORDER BY x.relname"));
  for (int r = 0; r < indexes.rows(); ++r) {
    if (!copied.contains(indexes.Text(r, 0))) continue;
    deferred.drop.push_back("DROP INDEX " + Quoted(indexes.View(r, 1)));
    deferred.create.push_back(indexes.Text(r, 2));
  }
  deferred.create.insert(deferred.create.end(), foreign_keys.begin(), foreign_keys.end());
  for (const std::string& sql : deferred.drop) RETURN_IF_ERROR(conn.Exec(sql));
  return deferred;
}

struct Plan {
  Source source;
  Target target;
  std::vector<const SourceTable*> tables;
  MigrationReport report;
};

core::Result<Plan> MakePlan(const MigrationOptions& options, Source source, PgConn& conn) {
  Plan plan;
  plan.source = std::move(source);
  ASSIGN_OR_RETURN(plan.target, ReadTarget(conn));
  ASSIGN_OR_RETURN(plan.report.versions, CheckVersions(plan.source, plan.target));
  std::vector<const SourceTable*> copied;
  RETURN_IF_ERROR(MatchTables(plan.source, plan.target, options.skip_unknown_tables, copied,
                              plan.report));
  plan.tables = InDependencyOrder(std::move(copied), plan.target);
  return plan;
}

// Compares the tables of a plan, the source side given or read now.
core::Status CompareTables(PgConn& conn, Plan& plan, const MigrationOptions& options,
                           const std::vector<SideSummary>* source_sides) {
  plan.report.ok = true;
  for (size_t i = 0; i < plan.tables.size(); ++i) {
    const SourceTable& table = *plan.tables[i];
    SideSummary source_side;
    if (source_sides != nullptr) {
      source_side = (*source_sides)[i];
    } else {
      ASSIGN_OR_RETURN(source_side, ReadSourceTable(table, nullptr, options));
    }
    ASSIGN_OR_RETURN(SideSummary target_side,
                     ReadTargetTable(conn, table, plan.target.tables.at(table.name),
                                     source_side.rows, options));
    TableComparison comparison;
    comparison.table = table.name;
    comparison.source_rows = source_side.rows;
    comparison.source_checksum = source_side.checksum;
    comparison.target_rows = target_side.rows;
    comparison.target_checksum = target_side.checksum;
    comparison.ok = source_side.rows == target_side.rows &&
                    source_side.checksum == target_side.checksum;
    plan.report.ok = plan.report.ok && comparison.ok;
    plan.report.tables.push_back(std::move(comparison));
  }
  return core::Ok();
}

}  // namespace

core::Result<MigrationReport> Migrate(const MigrationOptions& options) {
  if (!options.prepare_target) {
    return core::Fail(core::Code::kInternal, "移行先の準備方法がありません",
                      "no way to prepare the target", "prepare_target");
  }
  // The source is opened (and found) before the target's schema is created.
  ASSIGN_OR_RETURN(Source source, ReadSource(options.source_path));
  RETURN_IF_ERROR(options.prepare_target(options.target));
  ASSIGN_OR_RETURN(std::unique_ptr<PgConn> conn, PgConn::Connect(options.target));
  RETURN_IF_ERROR(conn->Exec("SET bytea_output = 'hex'"));  // what the checksum reads
  ASSIGN_OR_RETURN(Plan plan, MakePlan(options, std::move(source), *conn));

  RETURN_IF_ERROR(conn->Exec("BEGIN"));
  auto copy = [&]() -> core::Status {
    PgParams lock;
    lock.Add(kWriterLock);
    ASSIGN_OR_RETURN(PgResult locked, conn->Query("SELECT pg_advisory_xact_lock($1)", lock));
    (void)locked;
    RETURN_IF_ERROR(CheckTargetEmpty(*conn, plan.target));
    RETURN_IF_ERROR(conn->Exec("SET LOCAL maintenance_work_mem = '256MB'"));
    ASSIGN_OR_RETURN(DeferredSchema deferred, DeferIndexesAndForeignKeys(*conn, plan.tables));
    std::vector<SideSummary> source_sides;
    for (const SourceTable* table : plan.tables) {
      auto side = ReadSourceTable(*table, conn.get(), options);
      if (!side) return std::unexpected(std::move(side).error().WithContext(table->name));
      source_sides.push_back(*side);
    }
    // A foreign key the copied rows break fails here, and the whole copy with it.
    for (const std::string& sql : deferred.create) RETURN_IF_ERROR(conn->Exec(sql));
    ASSIGN_OR_RETURN(plan.report.sequences_reset, ResetSequences(*conn, plan.tables));
    return CompareTables(*conn, plan, options, &source_sides);
  };
  auto copied = copy();
  if (!copied || !plan.report.ok) {
    (void)conn->Exec("ROLLBACK");
    RETURN_IF_ERROR(copied);
    return plan.report;
  }
  RETURN_IF_ERROR(conn->Exec("COMMIT"));
  plan.report.committed = true;
  // The planner's statistics for the new rows now, not at autovacuum's leisure.
  RETURN_IF_ERROR(conn->Exec("ANALYZE"));
  return plan.report;
}

core::Result<MigrationReport> CompareMigration(const MigrationOptions& options) {
  ASSIGN_OR_RETURN(Source source, ReadSource(options.source_path));
  ASSIGN_OR_RETURN(std::unique_ptr<PgConn> conn, PgConn::Connect(options.target));
  RETURN_IF_ERROR(conn->Exec("SET bytea_output = 'hex'"));  // what the checksum reads
  ASSIGN_OR_RETURN(Plan plan, MakePlan(options, std::move(source), *conn));
  // One snapshot of the target too.
  RETURN_IF_ERROR(conn->Exec("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"));
  auto compared = CompareTables(*conn, plan, options, nullptr);
  (void)conn->Exec("ROLLBACK");
  RETURN_IF_ERROR(compared);
  return plan.report;
}

}  // namespace ichigen::store
