#include "store/migrate_plan.h"

#include <algorithm>
#include <filesystem>

#include "store/sqlite_account_store.h"

namespace ichigen::store::migration {

namespace {

constexpr const char* kMigrationsTable = "schema_migrations";

std::unexpected<core::Error> Precondition(std::string ja, std::string en, std::string context) {
  return core::Fail(core::Code::kFailedPrecondition, std::move(ja), std::move(en),
                    std::move(context));
}

std::string Join(const std::vector<std::string>& names) {
  std::string out;
  for (const std::string& name : names) out += (out.empty() ? "" : ", ") + name;
  return out;
}

}  // namespace

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

// --- The two sides' catalogues. ---------------------------------------------

namespace {
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
}  // namespace




namespace {
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
}  // namespace

namespace {
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
}  // namespace

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

namespace {
std::map<int, std::set<int>> ByTrack(const std::set<int>& versions) {
  std::map<int, std::set<int>> tracks;
  for (int version : versions) tracks[version / 1000].insert(version);
  return tracks;
}
}  // namespace

namespace {
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
}  // namespace

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

bool IsSeededTable(std::string_view name) { return name == "distribution_settings"; }

// Invariant 3.
core::Status CheckTargetEmpty(PgConn& conn, const Target& target) {
  std::vector<std::string> holding;
  for (const auto& [name, table] : target.tables) {
    if (IsSeededTable(name)) continue;
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

}  // namespace ichigen::store::migration
