#include "audit/export.h"

#include <nlohmann/json.hpp>

namespace ichigen::audit {

namespace {

std::string CsvField(std::string_view value) {
  if (value.find_first_of(",\"\r\n") == std::string_view::npos) return std::string(value);
  std::string out = "\"";
  for (char c : value) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
  return out;
}

}  // namespace

core::Result<ExportFormat> ParseExportFormat(std::string_view name) {
  if (name == "jsonl" || name == "json") return ExportFormat::kJsonLines;
  if (name == "csv") return ExportFormat::kCsv;
  return core::Fail(core::Code::kInvalidArgument, "出力形式は jsonl か csv です",
                    "format must be jsonl or csv", std::string(name));
}

std::string EntryJsonLine(const store::AuditEntry& e) {
  const nlohmann::json line = {{"seq", e.seq},         {"at", e.at},
                               {"actor", e.actor},     {"role", e.role},
                               {"action", e.action},   {"target_ids", e.target_ids},
                               {"from", e.remote},     {"purpose", e.purpose},
                               {"details", e.details}, {"prev_hash", e.prev_hash},
                               {"hash", e.hash}};
  return line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

core::Result<int64_t> ExportAudit(store::AuditStore& store, ExportFormat format,
                                  std::ostream& out) {
  int64_t count = 0;
  if (format == ExportFormat::kCsv) {
    out << "\xEF\xBB\xBF" << "seq,at,actor,role,action,target_ids,from,purpose,details,prev_hash,hash\r\n";
  }
  RETURN_IF_ERROR(store.ForEach([&](const store::AuditEntry& e) -> core::Status {
    ++count;
    if (format == ExportFormat::kJsonLines) {
      out << EntryJsonLine(e) << "\n";
    } else {
      out << e.seq << ',' << CsvField(e.at) << ',' << CsvField(e.actor) << ','
          << CsvField(e.role) << ',' << CsvField(e.action) << ',' << CsvField(e.target_ids)
          << ',' << CsvField(e.remote) << ',' << CsvField(e.purpose) << ','
          << CsvField(e.details) << ',' << e.prev_hash << ',' << e.hash << "\r\n";
    }
    if (!out) {
      return core::Fail(core::Code::kUnavailable, "監査記録を書き出せません",
                        "cannot write the audit export");
    }
    return core::Ok();
  }));
  return count;
}

}  // namespace ichigen::audit
