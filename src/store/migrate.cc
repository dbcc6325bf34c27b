#include "store/migrate.h"

#include <memory>
#include <set>

#include "store/migrate_encoding.h"
#include "store/migrate_plan.h"
#include "store/pg_handle.h"
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
using migration::ColumnList;
using migration::PgKind;
using migration::Quoted;
using migration::Source;
using migration::SourceTable;
using migration::Target;
using migration::TargetTable;

// The transaction-scoped advisory lock every PostgreSQL batch writer takes
// (postgres_store.cc): holding it, the migration keeps imports out until it
// commits.
constexpr int64_t kWriterLock = 0x1C41'6E00'0002;
constexpr size_t kCopyChunk = 1 << 20;
constexpr int kFetchRows = 10000;

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
  ASSIGN_OR_RETURN(plan.target, migration::ReadTarget(conn));
  ASSIGN_OR_RETURN(plan.report.versions, migration::CheckVersions(plan.source, plan.target));
  std::vector<const SourceTable*> copied;
  RETURN_IF_ERROR(migration::MatchTables(plan.source, plan.target, options.skip_unknown_tables,
                                         copied, plan.report));
  plan.tables = migration::InDependencyOrder(std::move(copied), plan.target);
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
  ASSIGN_OR_RETURN(Source source, migration::ReadSource(options.source_path));
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
    RETURN_IF_ERROR(migration::CheckTargetEmpty(*conn, plan.target));
    for (const SourceTable* table : plan.tables) {
      if (migration::IsSeededTable(table->name)) {
        RETURN_IF_ERROR(conn->Exec("DELETE FROM " + Quoted(table->name)));
      }
    }
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
  ASSIGN_OR_RETURN(Source source, migration::ReadSource(options.source_path));
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
