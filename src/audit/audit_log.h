// AuditLog: the tamper-evident audit trail of every read and write of
// personal data. Each entry is chained to the one before it:
//
//   hash(n) = SHA-256( prev_hash(n) "\n" Canonical(entry n) )
//   prev_hash(n) = hash(n-1), and prev_hash(1) = 64 zeros
//
// where Canonical is a JSON array of the entry's fields in a fixed order
// (seq, at, actor, role, action, target_ids, remote, purpose, details).
// Invariants, which Verify checks:
//  1. seq runs 1, 2, 3 … without gaps (a gap is a removed entry);
//  2. every entry's hash recomputes from its stored fields (else it was
//     altered, or moved to another seq);
//  3. every entry's prev_hash is the hash of the entry just before it
//     (else an entry was removed, inserted or reordered).
// Removing the newest entries leaves a valid shorter chain; to catch that,
// keep the head (seq and hash, printed by `ichigen audit verify`) outside
// the database now and then and pass it back as an anchor.
//
// Group commit: Append queues its entry and waits. The first waiter in the
// queue is the leader: it takes up to kMaxBatch queued entries, chains them
// from the head, stores them in one transaction (AuditStore::AppendBatch),
// then wakes their callers. While it writes, later entries queue up and form
// the next batch, so under load one transaction carries many entries and
// the single chain is kept. Each caller waits on its own atomic state (not
// on mu_) and the leader wakes exactly the callers of its batch and the
// next leader, after releasing mu_: with hundreds of request threads queued,
// waking them all after every batch (one shared condition variable), or
// waking them into a queue for mu_, cost more in context switches than the
// writing itself. An entry is shared by its caller and the queue, so the
// leader may wake a caller that has already returned. Hence, besides 1–3:
//  4. seq order is queue order; Append returns a seq only after its entry is
//     stored; if a batch fails, none of it is stored, every caller in it gets
//     the error and the head does not move.
//
// Thread-safety: AuditLog is thread-safe; mu_ guards the queue and the head,
// and is not held while the leader copies, chains and hashes its batch or
// the store writes it. Several processes appending to the
// same store (PostgreSQL later, or `ichigen` commands beside a running
// server) need the head read and the insert in one database transaction
// under a lock (SELECT … FOR UPDATE / an advisory lock); with SQLite, a
// batch whose first seq another process took is rechained from the re-read
// head and retried once.
#pragma once

#include <atomic>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "audit/clock.h"
#include "core/result.h"
#include "store/audit_store.h"

namespace ichigen::audit {

// What happened; the log adds seq, time and hashes.
struct AuditEvent {
  std::string actor;
  std::string role;
  std::string action;
  std::vector<std::string> targets;  // e.g. "patient:12"
  std::string remote;
  std::string purpose;
  std::string details = "{}";        // JSON object text
};

// The canonical serialization that is hashed.
std::string CanonicalEntry(const store::AuditEntry& entry);
// The hash an entry should have given its prev_hash and fields.
std::string EntryHash(const store::AuditEntry& entry);
inline constexpr std::string_view kGenesisHash =
    "0000000000000000000000000000000000000000000000000000000000000000";

class AuditLog {
 public:
  static constexpr size_t kMaxBatch = 512;

  static core::Result<std::unique_ptr<AuditLog>> Open(store::AuditStore& store, Clock clock);

  // Appends and returns the new entry's seq (once it is stored).
  core::Result<int64_t> Append(const AuditEvent& event);

  // Seq and hash of the newest stored entry (0 and the genesis hash when empty).
  std::pair<int64_t, std::string> Head() const;

 private:
  enum State : int { kWaiting, kDone, kLead };
  struct Pending {
    store::AuditEntry entry;
    core::Status result;  // with entry.seq, written before state becomes kDone
    std::atomic<int> state{kWaiting};  // kDone, or kLead: this entry is the queue's front
  };

  AuditLog(store::AuditStore& store, Clock clock) : store_(store), clock_(std::move(clock)) {}
  core::Status LoadHead();  // requires mu_
  // Stores the batch at the front of the queue (called by its first entry's caller).
  void CommitBatch();

  store::AuditStore& store_;
  Clock clock_;
  mutable std::mutex mu_;
  std::deque<std::shared_ptr<Pending>> queue_;  // guarded by mu_; front is the leader's batch
  int64_t head_seq_ = 0;             // guarded by mu_
  std::string head_hash_;            // guarded by mu_
};

enum class ProblemKind { kAltered, kBrokenLink, kMissing, kReordered, kBadStart, kAnchor };
std::string_view ProblemKindName(ProblemKind kind);

struct VerifyProblem {
  int64_t seq = 0;       // where
  ProblemKind kind;
  std::string message;   // what is wrong, Japanese
  std::string message_en;
};

struct VerifyOptions {
  // An anchor kept outside the database: entry `seq` must have `hash`.
  std::optional<std::pair<int64_t, std::string>> anchor;
  size_t max_problems = 100;
};

struct VerifyReport {
  bool ok = true;
  int64_t entries = 0;
  int64_t head_seq = 0;
  std::string head_hash;
  std::vector<VerifyProblem> problems;
};

// Reads the whole trail in seq order and checks the invariants above.
core::Result<VerifyReport> Verify(store::AuditStore& store, const VerifyOptions& options = {});

}  // namespace ichigen::audit
