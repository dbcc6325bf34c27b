// AuditStore: the append-only table of the audit trail. It stores what
// audit::AuditLog computed (the hash chain is the log's business, not the
// store's); the store's part is that rows are only ever added: the SQLite
// implementation refuses UPDATE and DELETE with triggers, so changing the
// trail takes deliberate work (dropping the trigger), which audit::Verify
// then detects from the chain.
//
// Thread-safety: implementations are thread-safe (SqliteAuditStore
// serializes calls on its own connection with a mutex).
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>

#include "core/result.h"

namespace ichigen::store {

struct AuditEntry {
  int64_t seq = 0;          // 1, 2, 3 … with no gaps
  std::string at;           // ISO-8601 UTC with milliseconds
  std::string actor;        // login, or "system", "cli:<os user>"
  std::string role;
  std::string action;       // e.g. "patient.read", "batch.upload"
  std::string target_ids;   // e.g. "patient:12 patient:13", space-separated
  std::string remote;       // remote address, or "cli", "inbox"
  std::string purpose;
  std::string details;      // JSON object text
  std::string prev_hash;    // hash of entry seq-1 (64 zeros for seq 1)
  std::string hash;
};

class AuditStore {
 public:
  virtual ~AuditStore() = default;
  // kAlreadyExists if that seq is taken.
  virtual core::Status Append(const AuditEntry& entry) = 0;
  // Appends consecutive entries in one transaction: all or none
  // (kAlreadyExists, nothing stored, if any seq is taken).
  virtual core::Status AppendBatch(std::span<const AuditEntry> entries) = 0;
  // Every entry in seq order (as stored: a tampered table is read as is).
  virtual core::Status ForEach(const std::function<core::Status(const AuditEntry&)>& fn) = 0;
  virtual core::Result<int64_t> Count() = 0;
  // The entry with the highest seq, if any.
  virtual core::Result<std::optional<AuditEntry>> Last() = 0;
};

}  // namespace ichigen::store
