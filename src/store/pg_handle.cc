#include "store/pg_handle.h"

#include <charconv>
#include <cstring>

#include "core/hex.h"

namespace ichigen::store {

namespace {

// SQLSTATE classes and codes, chosen by what the caller should do next.
core::Code CodeForSqlstate(std::string_view state) {
  if (state == "23505") return core::Code::kAlreadyExists;        // unique_violation
  if (state == "40001" || state == "40P01") return core::Code::kAborted;  // retry the tx
  if (state == "55P03") return core::Code::kUnavailable;          // lock_not_available
  if (state == "3D000") return core::Code::kNotFound;              // no such database
  if (state == "28000" || state == "28P01") return core::Code::kUnauthenticated;
  if (state == "42501") return core::Code::kPermissionDenied;
  if (state == "53100" || state == "53200" || state == "54000") {
    return core::Code::kResourceExhausted;
  }
  if (state.starts_with("08") || state.starts_with("57") || state.starts_with("53")) {
    return core::Code::kUnavailable;
  }
  if (state.starts_with("23")) return core::Code::kFailedPrecondition;  // other integrity
  if (state == "P0001") return core::Code::kFailedPrecondition;          // our triggers
  if (state.starts_with("22")) return core::Code::kInvalidArgument;     // data exception
  if (state.starts_with("XX")) return core::Code::kDataLoss;
  return core::Code::kInternal;
}

// Length of the valid UTF-8 sequence at `s[i]`, or 0 if it is not one (NUL
// counts as invalid: PostgreSQL cannot store it in text).
size_t Utf8SequenceLength(std::string_view s, size_t i) {
  const auto byte = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  const unsigned char c = byte(i);
  if (c == 0) return 0;
  if (c < 0x80) return 1;
  size_t n = 0;
  uint32_t cp = 0;
  if ((c & 0xE0) == 0xC0) {
    n = 2;
    cp = c & 0x1F;
  } else if ((c & 0xF0) == 0xE0) {
    n = 3;
    cp = c & 0x0F;
  } else if ((c & 0xF8) == 0xF0) {
    n = 4;
    cp = c & 0x07;
  } else {
    return 0;
  }
  if (i + n > s.size()) return 0;
  for (size_t k = 1; k < n; ++k) {
    if ((byte(i + k) & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (byte(i + k) & 0x3F);
  }
  static constexpr uint32_t kMin[] = {0, 0, 0x80, 0x800, 0x10000};
  if (cp < kMin[n] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
  return n;
}

std::string ValidText(std::string_view text) {
  size_t i = 0;
  while (i < text.size()) {
    const size_t n = Utf8SequenceLength(text, i);
    if (n == 0) break;
    i += n;
  }
  if (i == text.size()) return std::string(text);
  std::string out(text.substr(0, i));
  while (i < text.size()) {
    const size_t n = Utf8SequenceLength(text, i);
    if (n == 0) {
      out += "\xEF\xBF\xBD";  // U+FFFD
      ++i;
    } else {
      out.append(text.substr(i, n));
      i += n;
    }
  }
  return out;
}

}  // namespace

core::Error PgError(PGconn* conn, const PGresult* result, std::string_view what) {
  std::string state;
  std::string message;
  if (result != nullptr) {
    if (const char* s = PQresultErrorField(result, PG_DIAG_SQLSTATE)) state = s;
    if (const char* m = PQresultErrorField(result, PG_DIAG_MESSAGE_PRIMARY)) message = m;
  }
  if (message.empty() && conn != nullptr) message = PQerrorMessage(conn);
  while (!message.empty() && (message.back() == '\n' || message.back() == ' ')) message.pop_back();
  // A lost connection has no SQLSTATE from the server.
  if (state.empty() && conn != nullptr && PQstatus(conn) != CONNECTION_OK) state = "08006";
  std::string context = "SQLSTATE " + (state.empty() ? std::string("?????") : state) + ": " +
                        message;
  if (!what.empty()) context += " (" + std::string(what.substr(0, 80)) + ")";
  return core::Error{CodeForSqlstate(state), "データベースの操作に失敗しました",
                     "database operation failed", std::move(context)};
}

PgParams& PgParams::Add(std::string_view text) {
  if (text.empty()) return AddNull();
  return AddText(text);
}
PgParams& PgParams::AddText(std::string_view text) {
  values_.emplace_back(ValidText(text));
  return *this;
}
PgParams& PgParams::AddIdArray(std::span<const int64_t> ids) {
  std::string array = "{";
  for (size_t i = 0; i < ids.size(); ++i) {
    if (i > 0) array += ',';
    array += std::to_string(ids[i]);
  }
  array += '}';
  values_.emplace_back(std::move(array));
  return *this;
}
PgParams& PgParams::AddTextArray(std::span<const std::string> texts) {
  std::string array = "{";
  for (size_t i = 0; i < texts.size(); ++i) {
    if (i > 0) array += ',';
    array += '"';
    for (const char c : ValidText(texts[i])) {
      if (c == '"' || c == '\\') array += '\\';
      array += c;
    }
    array += '"';
  }
  array += '}';
  values_.emplace_back(std::move(array));
  return *this;
}
PgParams& PgParams::AddBytes(std::string_view bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string hex = "\\x";
  hex.reserve(2 + bytes.size() * 2);
  for (const char c : bytes) {
    const auto b = static_cast<unsigned char>(c);
    hex += kDigits[b >> 4];
    hex += kDigits[b & 0x0F];
  }
  values_.emplace_back(std::move(hex));
  return *this;
}
PgParams& PgParams::Add(int64_t value) {
  values_.emplace_back(std::to_string(value));
  return *this;
}
PgParams& PgParams::Add(double value) {
  char buffer[64];
  const auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, value);
  values_.emplace_back(std::string(buffer, ec == std::errc() ? end : buffer));
  return *this;
}
PgParams& PgParams::AddNull() {
  values_.emplace_back(std::nullopt);
  return *this;
}
PgParams& PgParams::Add(const std::optional<int>& value) {
  if (!value) return AddNull();
  return Add(static_cast<int64_t>(*value));
}
PgParams& PgParams::Add(const std::optional<bool>& value) {
  if (!value) return AddNull();
  return Add(static_cast<int64_t>(*value ? 1 : 0));
}

std::vector<const char*> PgParams::Pointers() const {
  std::vector<const char*> pointers;
  pointers.reserve(values_.size());
  for (const auto& value : values_) pointers.push_back(value ? value->c_str() : nullptr);
  return pointers;
}

void PgParams::AppendCopyLine(std::string& out) const {
  bool first = true;
  for (const auto& value : values_) {
    if (!first) out += '\t';
    first = false;
    if (!value) {
      out += "\\N";
      continue;
    }
    for (char c : *value) {  // already valid UTF-8 without NUL
      switch (c) {
        case '\\': out += "\\\\"; break;
        case '\t': out += "\\t"; break;
        case '\n': out += "\\n"; break;
        case '\r': out += "\\r"; break;
        default: out += c;
      }
    }
  }
  out += '\n';
}

bool PgResult::IsNull(int row, int column) const {
  return PQgetisnull(result_.get(), row, column) != 0;
}
std::string_view PgResult::View(int row, int column) const {
  return std::string_view(PQgetvalue(result_.get(), row, column),
                          static_cast<size_t>(PQgetlength(result_.get(), row, column)));
}
std::optional<std::string> PgResult::Bytes(int row, int column) const {
  const std::string_view text = View(row, column);
  if (!text.starts_with("\\x") || text.size() % 2 != 0) return std::nullopt;
  std::string out;
  out.reserve((text.size() - 2) / 2);
  for (size_t i = 2; i < text.size(); i += 2) {
    const int hi = core::HexValue(text[i]);
    const int lo = core::HexValue(text[i + 1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out += static_cast<char>((hi << 4) | lo);
  }
  return out;
}
std::string PgResult::Text(int row, int column) const { return std::string(View(row, column)); }
int64_t PgResult::Int(int row, int column) const {
  const std::string_view text = View(row, column);
  int64_t value = 0;
  std::from_chars(text.data(), text.data() + text.size(), value);
  return value;
}
double PgResult::Real(int row, int column) const {
  const std::string_view text = View(row, column);
  double value = 0;
  std::from_chars(text.data(), text.data() + text.size(), value);
  return value;
}
std::optional<int> PgResult::OptInt(int row, int column) const {
  if (IsNull(row, column)) return std::nullopt;
  return static_cast<int>(Int(row, column));
}
int64_t PgResult::Affected() const {
  const char* tuples = PQcmdTuples(result_.get());
  int64_t value = 0;
  std::from_chars(tuples, tuples + std::strlen(tuples), value);
  return value;
}

core::Result<std::unique_ptr<PgConn>> PgConn::Connect(const std::string& conninfo) {
  PGconn* raw = PQconnectdb(conninfo.c_str());
  std::unique_ptr<PgConn> conn(new PgConn(raw));
  if (raw == nullptr || PQstatus(raw) != CONNECTION_OK) {
    std::string why = raw ? PQerrorMessage(raw) : "out of memory";
    while (!why.empty() && why.back() == '\n') why.pop_back();
    return core::Fail(core::Code::kUnavailable, "PostgreSQL に接続できません",
                      "cannot connect to PostgreSQL", why);
  }
  // Notices (e.g. "relation already exists, skipping") are not for the user.
  PQsetNoticeProcessor(raw, [](void*, const char*) {}, nullptr);
  RETURN_IF_ERROR(conn->Exec(
      "SET client_encoding = 'UTF8'; SET TIME ZONE 'UTC'; SET bytea_output = 'hex'"));
  return conn;
}

PgConn::~PgConn() { PQfinish(conn_); }

core::Result<PgResult> PgConn::Check(PGresult* raw, std::string_view what) {
  PgResult result(raw);
  const ExecStatusType status = raw ? PQresultStatus(raw) : PGRES_FATAL_ERROR;
  if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK) return result;
  return std::unexpected(PgError(conn_, raw, what));
}

core::Status PgConn::Exec(const std::string& sql) {
  ASSIGN_OR_RETURN(PgResult result, Check(PQexec(conn_, sql.c_str()), sql));
  (void)result;
  return core::Ok();
}

core::Result<PgResult> PgConn::Query(const std::string& sql, const PgParams& params) {
  const std::vector<const char*> values = params.Pointers();
  return Check(PQexecParams(conn_, sql.c_str(), params.size(), nullptr, values.data(), nullptr,
                            nullptr, 0),
               sql);
}

core::Status PgConn::Prepare(const std::string& name, const std::string& sql) {
  for (const std::string& done : prepared_) {
    if (done == name) return core::Ok();
  }
  ASSIGN_OR_RETURN(PgResult result, Check(PQprepare(conn_, name.c_str(), sql.c_str(), 0, nullptr),
                                          sql));
  (void)result;
  prepared_.push_back(name);
  return core::Ok();
}

core::Result<PgResult> PgConn::Run(const std::string& name, const PgParams& params) {
  const std::vector<const char*> values = params.Pointers();
  return Check(PQexecPrepared(conn_, name.c_str(), params.size(), values.data(), nullptr,
                              nullptr, 0),
               name);
}

core::Result<PgResult> PgConn::Execute(const std::string& sql, const PgParams& params) {
  auto found = statement_names_.find(sql);
  if (found == statement_names_.end()) {
    const std::string name = "ichigen_s" + std::to_string(statement_names_.size() + 1);
    RETURN_IF_ERROR(Prepare(name, sql));
    found = statement_names_.emplace(sql, name).first;
  }
  return Run(found->second, params);
}

bool PgConn::InTransaction() const { return PQtransactionStatus(conn_) != PQTRANS_IDLE; }

core::Status PgConn::ForEachChunk(const std::string& sql, const PgParams& params, int fetch,
                                  const std::function<core::Status(const PgResult&)>& fn) {
  const bool own_transaction = !InTransaction();
  const std::string cursor = "ichigen_cursor_" + std::to_string(++cursor_serial_);
  auto run = [&]() -> core::Status {
    ASSIGN_OR_RETURN(PgResult declared,
                     Query("DECLARE " + cursor + " NO SCROLL CURSOR FOR " + sql, params));
    (void)declared;
    const std::string fetch_sql = "FETCH " + std::to_string(fetch) + " FROM " + cursor;
    while (true) {
      ASSIGN_OR_RETURN(PgResult chunk, Query(fetch_sql));
      if (chunk.rows() == 0) break;
      RETURN_IF_ERROR(fn(chunk));
      if (chunk.rows() < fetch) break;
    }
    return Exec("CLOSE " + cursor);
  };
  if (own_transaction) RETURN_IF_ERROR(Exec("BEGIN READ ONLY"));
  auto result = run();
  if (own_transaction) {
    // A read-only transaction has nothing to keep; ending it either way is fine.
    (void)Exec(result ? "COMMIT" : "ROLLBACK");
  }
  return result;
}

core::Status PgConn::CopyIn(const std::string& copy_sql, std::string_view data) {
  RETURN_IF_ERROR(CopyBegin(copy_sql));
  auto sent = CopySend(data);
  auto ended = CopyEnd();
  if (!sent) return sent;
  return ended;
}

core::Status PgConn::CopyBegin(const std::string& copy_sql) {
  PgResult result(PQexec(conn_, copy_sql.c_str()));
  if (PQresultStatus(result.get()) != PGRES_COPY_IN) {
    return std::unexpected(PgError(conn_, result.get(), copy_sql));
  }
  copy_sql_ = copy_sql;
  return core::Ok();
}

core::Status PgConn::CopySend(std::string_view data) {
  constexpr size_t kChunk = 1 << 20;
  for (size_t at = 0; at < data.size(); at += kChunk) {
    const size_t n = std::min(kChunk, data.size() - at);
    if (PQputCopyData(conn_, data.data() + at, static_cast<int>(n)) != 1) {
      return std::unexpected(PgError(conn_, nullptr, copy_sql_));
    }
  }
  return core::Ok();
}

core::Status PgConn::CopyEnd() {
  if (PQputCopyEnd(conn_, nullptr) != 1) return std::unexpected(PgError(conn_, nullptr, copy_sql_));
  // The COPY's own result, then the end of the command.
  core::Status status = core::Ok();
  while (PGresult* raw = PQgetResult(conn_)) {
    PgResult result(raw);
    if (PQresultStatus(raw) != PGRES_COMMAND_OK && status) {
      status = std::unexpected(PgError(conn_, raw, copy_sql_));
    }
  }
  return status;
}

core::Result<std::string> PgConninfoWithDatabase(const std::string& conninfo,
                                                 const std::string& dbname) {
  char* error = nullptr;
  PQconninfoOption* options = PQconninfoParse(conninfo.c_str(), &error);
  if (options == nullptr) {
    std::string why = error ? error : "out of memory";
    PQfreemem(error);
    return core::Fail(core::Code::kInvalidArgument, "PostgreSQL の接続文字列が正しくありません",
                      "invalid PostgreSQL connection string", why);
  }
  auto quote = [](std::string_view value) {
    std::string out = "'";
    for (char c : value) {
      if (c == '\'' || c == '\\') out += '\\';
      out += c;
    }
    return out + "'";
  };
  std::string out;
  for (PQconninfoOption* option = options; option->keyword != nullptr; ++option) {
    if (std::string_view(option->keyword) == "dbname" || option->val == nullptr) continue;
    out += std::string(option->keyword) + "=" + quote(option->val) + " ";
  }
  PQconninfoFree(options);
  out += "dbname=" + quote(dbname);
  return out;
}

bool IsStorableText(std::string_view text) {
  for (size_t i = 0; i < text.size();) {
    const size_t n = Utf8SequenceLength(text, i);
    if (n == 0) return false;
    i += n;
  }
  return true;
}

bool IsPostgresUrl(std::string_view path) {
  return path.starts_with("postgresql://") || path.starts_with("postgres://");
}

}  // namespace ichigen::store
