// RAII wrappers for libpq's handles: PgConn owns a PGconn*, PgResult owns a
// PGresult*. Every query is parameterized (PgParams; values travel apart from
// the SQL text, so input is never SQL); statements used in loops are prepared
// once per connection. A server error becomes a core::Error whose code follows
// the SQLSTATE (23505 → kAlreadyExists, 40001/40P01 → kAborted, class 08 →
// kUnavailable, …) and whose context carries "SQLSTATE xxxxx: message".
//
// Text goes to the server as UTF-8. PostgreSQL refuses NUL bytes and invalid
// UTF-8 in text, which SQLite keeps as given; PgParams replaces such bytes
// with U+FFFD so that a damaged input line (kept as the raw text of a rejected
// row) is stored rather than failing its whole batch.
//
// Thread-safety: a PgConn (and every PgResult) is used by one thread at a time.
#pragma once

#include <libpq-fe.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/result.h"

namespace ichigen::store {

// Parameters of one statement, $1 … $n in the order added; sent as text.
class PgParams {
 public:
  PgParams& Add(std::string_view text);      // empty adds NULL
  PgParams& AddText(std::string_view text);  // empty adds ''
  PgParams& Add(int64_t value);
  PgParams& Add(double value);
  PgParams& AddNull();
  // Bytes for a bytea parameter, sent in bytea's hex form ("\x…"), so any
  // byte (NUL, invalid UTF-8) passes unchanged; write `$n::bytea` in the SQL.
  PgParams& AddBytes(std::string_view bytes);
  // An array literal for one `$n::bigint[]` / `$n::text[]` parameter (used
  // with `= ANY($n)`): any number of ids or keys in one parameter.
  PgParams& AddIdArray(std::span<const int64_t> ids);
  PgParams& AddTextArray(std::span<const std::string> texts);
  PgParams& Add(const std::optional<int>& value);
  PgParams& Add(const std::optional<bool>& value);  // 1 / 0, as SQLite stores it

  int size() const { return static_cast<int>(values_.size()); }
  void Clear() { values_.clear(); }
  // Pointers valid until the next change of this object.
  std::vector<const char*> Pointers() const;
  // The values as one line of COPY's text format (tab-separated, \N for NULL).
  void AppendCopyLine(std::string& out) const;

 private:
  std::vector<std::optional<std::string>> values_;
};

class PgResult {
 public:
  PgResult() = default;
  explicit PgResult(PGresult* result) : result_(result) {}

  int rows() const { return result_ ? PQntuples(result_.get()) : 0; }
  bool IsNull(int row, int column) const;
  std::string Text(int row, int column) const;          // NULL reads ""
  std::string_view View(int row, int column) const;     // valid while this lives
  int64_t Int(int row, int column) const;               // NULL reads 0
  double Real(int row, int column) const;
  std::optional<int> OptInt(int row, int column) const;
  // A bytea column read in its hex text form (bytea_output = hex, which
  // PgConn::Connect sets); nullopt if it is not that form.
  std::optional<std::string> Bytes(int row, int column) const;
  // Rows changed by an INSERT/UPDATE/DELETE.
  int64_t Affected() const;

  PGresult* get() const { return result_.get(); }

 private:
  struct Clear {
    void operator()(PGresult* result) const { PQclear(result); }
  };
  std::unique_ptr<PGresult, Clear> result_;
};

class PgConn {
 public:
  // Connects with a libpq conninfo string or a postgresql:// URL.
  static core::Result<std::unique_ptr<PgConn>> Connect(const std::string& conninfo);
  ~PgConn();
  PgConn(const PgConn&) = delete;
  PgConn& operator=(const PgConn&) = delete;

  // Runs SQL without parameters (several statements allowed: migrations).
  core::Status Exec(const std::string& sql);
  core::Result<PgResult> Query(const std::string& sql, const PgParams& params = {});
  // Prepares `sql` under `name` on this connection (once; later calls are free).
  core::Status Prepare(const std::string& name, const std::string& sql);
  core::Result<PgResult> Run(const std::string& name, const PgParams& params);
  // Runs `sql` as a statement prepared on this connection at its first use
  // (the SQL text is the key): the store's reads and writes in loops.
  core::Result<PgResult> Execute(const std::string& sql, const PgParams& params = {});
  // Streams the result of a query `fetch` rows at a time through a cursor, so a
  // pass over millions of rows holds only one chunk in memory. Works inside or
  // outside a transaction (outside, it opens and ends its own).
  core::Status ForEachChunk(const std::string& sql, const PgParams& params, int fetch,
                            const std::function<core::Status(const PgResult&)>& fn);
  // COPY … FROM STDIN with `data` in COPY's text format.
  core::Status CopyIn(const std::string& copy_sql, std::string_view data);
  // The same, streamed: CopyBegin, any number of CopySend, then CopyEnd, which
  // returns the COPY's outcome. Between CopyBegin and CopyEnd nothing else may
  // run on the connection (a failed CopySend still needs the CopyEnd).
  core::Status CopyBegin(const std::string& copy_sql);
  core::Status CopySend(std::string_view data);
  core::Status CopyEnd();

  bool InTransaction() const;
  PGconn* get() const { return conn_; }

 private:
  explicit PgConn(PGconn* conn) : conn_(conn) {}
  core::Result<PgResult> Check(PGresult* raw, std::string_view what);

  PGconn* conn_;
  std::vector<std::string> prepared_;  // names prepared on this connection
  std::unordered_map<std::string, std::string> statement_names_;  // SQL → name
  int cursor_serial_ = 0;
  std::string copy_sql_;  // the COPY in progress, for its errors
};

// The error for a failed result (or a failed connection when `result` is null).
core::Error PgError(PGconn* conn, const PGresult* result, std::string_view what);

// `conninfo` (keywords or a URL) with the database name replaced by `dbname`,
// as a keyword=value string. Tests use it to point at a fresh database.
core::Result<std::string> PgConninfoWithDatabase(const std::string& conninfo,
                                                 const std::string& dbname);

// Whether PostgreSQL can store `text` as it is: valid UTF-8 without NUL bytes.
bool IsStorableText(std::string_view text);

// Whether `path` names a PostgreSQL server rather than a file.
bool IsPostgresUrl(std::string_view path);

}  // namespace ichigen::store
