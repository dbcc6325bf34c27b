// Audit export: the whole trail, in seq order, as JSON lines (one object
// per entry, every field including both hashes, so the export itself can be
// verified elsewhere) or as CSV (UTF-8 with BOM, for Excel).
// Thread-safety: pure functions over a thread-safe AuditStore.
#pragma once

#include <cstdint>
#include <functional>
#include <ostream>
#include <string>
#include <string_view>

#include "core/result.h"
#include "store/audit_store.h"

namespace ichigen::audit {

enum class ExportFormat { kJsonLines, kCsv };
core::Result<ExportFormat> ParseExportFormat(std::string_view name);  // "jsonl" | "csv"

std::string EntryJsonLine(const store::AuditEntry& entry);  // no trailing newline

// Writes every entry; returns how many.
core::Result<int64_t> ExportAudit(store::AuditStore& store, ExportFormat format, std::ostream& out);

}  // namespace ichigen::audit
