#include "audit/audit_log.h"

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>

#include "core/sha256.h"

namespace ichigen::audit {

std::string CanonicalEntry(const store::AuditEntry& e) {
  const nlohmann::json fields = nlohmann::json::array(
      {e.seq, e.at, e.actor, e.role, e.action, e.target_ids, e.remote, e.purpose, e.details});
  // Invalid UTF-8 is replaced, never thrown on: the hash must always compute.
  return fields.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string EntryHash(const store::AuditEntry& entry) {
  core::Sha256 hasher;
  hasher.Update(entry.prev_hash);
  hasher.Update("\n");
  hasher.Update(CanonicalEntry(entry));
  return hasher.HexDigest();
}

core::Result<std::unique_ptr<AuditLog>> AuditLog::Open(store::AuditStore& store, Clock clock) {
  std::unique_ptr<AuditLog> log(new AuditLog(store, std::move(clock)));
  std::lock_guard lock(log->mu_);
  RETURN_IF_ERROR(log->LoadHead());
  return log;
}

core::Status AuditLog::LoadHead() {
  ASSIGN_OR_RETURN(std::optional<store::AuditEntry> last, store_.Last());
  head_seq_ = last ? last->seq : 0;
  head_hash_ = last ? last->hash : std::string(kGenesisHash);
  return core::Ok();
}

core::Result<int64_t> AuditLog::Append(const AuditEvent& event) {
  auto pending = std::make_shared<Pending>();
  store::AuditEntry& entry = pending->entry;
  entry.actor = event.actor;
  entry.role = event.role;
  entry.action = event.action;
  for (const std::string& target : event.targets) {
    if (!entry.target_ids.empty()) entry.target_ids += ' ';
    entry.target_ids += target;
  }
  entry.remote = event.remote;
  entry.purpose = event.purpose;
  entry.details = event.details.empty() ? "{}" : event.details;
  {
    std::lock_guard lock(mu_);
    // Stamped in queue order, so times never run backwards along the chain.
    entry.at = IsoUtc(clock_(), /*millis=*/true);
    queue_.push_back(pending);
    if (queue_.front() == pending) pending->state.store(kLead, std::memory_order_relaxed);
  }
  int state;
  while ((state = pending->state.load(std::memory_order_acquire)) == kWaiting) {
    pending->state.wait(kWaiting, std::memory_order_acquire);
  }
  if (state == kLead) CommitBatch();
  if (!pending->result) return std::unexpected(pending->result.error());
  return pending->entry.seq;
}

void AuditLog::CommitBatch() {
  std::unique_lock lock(mu_);
  const size_t n = std::min(queue_.size(), kMaxBatch);
  std::vector<std::shared_ptr<Pending>> batch(queue_.begin(),
                                              queue_.begin() + static_cast<std::ptrdiff_t>(n));
  // Copying, chaining and hashing the batch happen without mu_: only the
  // leader (the batch stays at the queue's front, so no one else leads
  // meanwhile) changes the head, and the batch's entries are not touched
  // by their waiting callers. Held, mu_ made every new request sleep on it.
  int64_t head_seq = head_seq_;
  std::string head_hash = head_hash_;
  lock.unlock();
  std::vector<store::AuditEntry> entries;
  entries.reserve(n);
  for (const auto& p : batch) entries.push_back(p->entry);
  core::Status result = core::Ok();
  // Several servers may share one chain (PostgreSQL): a losing writer gets
  // kAlreadyExists, reloads the head and re-chains its batch. Bounded, so a
  // store that keeps refusing is reported rather than retried forever.
  constexpr int kAttempts = 50;
  for (int attempt = 0; attempt < kAttempts; ++attempt) {
    int64_t seq = head_seq;
    std::string hash = head_hash;
    for (store::AuditEntry& e : entries) {
      e.seq = ++seq;
      e.prev_hash = std::move(hash);
      e.hash = EntryHash(e);
      hash = e.hash;
    }
    // Later callers queue up behind this batch while it is written.
    result = store_.AppendBatch(entries);
    lock.lock();
    if (result) {
      head_seq_ = entries.back().seq;
      head_hash_ = entries.back().hash;
      break;
    }
    if (result.error().code != core::Code::kAlreadyExists || attempt == kAttempts - 1) break;
    // Another process appended meanwhile: continue the chain from its head.
    if (core::Status loaded = LoadHead(); !loaded) {
      result = loaded;
      break;
    }
    head_seq = head_seq_;
    head_hash = head_hash_;
    lock.unlock();
  }
  for (size_t i = 0; i < n; ++i) {
    batch[i]->entry.seq = entries[i].seq;
    batch[i]->result = result;
    queue_.pop_front();
  }
  // Whoever is now at the front leads the next batch; the wake-ups happen
  // without mu_, so no woken caller waits for it.
  std::shared_ptr<Pending> next = queue_.empty() ? nullptr : queue_.front();
  lock.unlock();
  if (next) {
    next->state.store(kLead, std::memory_order_release);
    next->state.notify_one();
  }
  // batch[0] is this thread's own entry: it is awake.
  for (size_t i = 1; i < n; ++i) {
    batch[i]->state.store(kDone, std::memory_order_release);
    batch[i]->state.notify_one();
  }
}

std::pair<int64_t, std::string> AuditLog::Head() const {
  std::lock_guard lock(mu_);
  return {head_seq_, head_hash_};
}

std::string_view ProblemKindName(ProblemKind kind) {
  switch (kind) {
    case ProblemKind::kAltered: return "altered";
    case ProblemKind::kBrokenLink: return "broken_link";
    case ProblemKind::kMissing: return "missing";
    case ProblemKind::kReordered: return "reordered";
    case ProblemKind::kBadStart: return "bad_start";
    case ProblemKind::kAnchor: return "anchor";
  }
  return "altered";
}

core::Result<VerifyReport> Verify(store::AuditStore& store, const VerifyOptions& options) {
  VerifyReport report;
  report.head_hash = std::string(kGenesisHash);
  // hash → seq, to recognise a moved entry (the genesis hash is "seq 0").
  std::map<std::string, int64_t> seen = {{std::string(kGenesisHash), 0}};
  int64_t prev_seq = 0;
  std::string prev_hash(kGenesisHash);
  bool anchor_found = false;
  auto add = [&](int64_t seq, ProblemKind kind, std::string ja, std::string en) {
    report.ok = false;
    if (report.problems.size() < options.max_problems) {
      report.problems.push_back({seq, kind, std::move(ja), std::move(en)});
    }
  };
  RETURN_IF_ERROR(store.ForEach([&](const store::AuditEntry& e) -> core::Status {
    ++report.entries;
    const std::string seq_text = std::to_string(e.seq);
    if (prev_seq == 0 && e.seq != 1) {
      add(e.seq, ProblemKind::kBadStart,
          "監査記録が 1 番から始まっていません（1〜" + std::to_string(e.seq - 1) + " 番が欠落）",
          "the trail does not start at seq 1 (1.." + std::to_string(e.seq - 1) + " missing)");
    } else if (prev_seq != 0 && e.seq != prev_seq + 1) {
      add(prev_seq + 1, ProblemKind::kMissing,
          std::to_string(prev_seq + 1) + "〜" + std::to_string(e.seq - 1) +
              " 番の監査記録が削除されています",
          "entries " + std::to_string(prev_seq + 1) + ".." + std::to_string(e.seq - 1) +
              " were removed");
    }
    if (EntryHash(e) != e.hash) {
      add(e.seq, ProblemKind::kAltered,
          seq_text + " 番の監査記録の内容がハッシュと一致しません（改ざんまたは移動）",
          "entry " + seq_text + ": content does not match its hash (altered or moved)");
    }
    if (e.prev_hash != prev_hash) {
      auto earlier = seen.find(e.prev_hash);
      if (earlier != seen.end() && earlier->second != prev_seq) {
        const std::string after = std::to_string(earlier->second);
        add(e.seq, ProblemKind::kReordered,
            seq_text + " 番の監査記録は本来 " +
                (earlier->second == 0 ? std::string("先頭") : after + " 番の直後") +
                "のものです（順序の入れ替え）",
            "entry " + seq_text + " belongs " +
                (earlier->second == 0 ? std::string("first") : "right after entry " + after) +
                " (reordered)");
      } else {
        add(e.seq, ProblemKind::kBrokenLink,
            seq_text + " 番の監査記録が直前の記録とつながっていません（削除・挿入・入れ替え）",
            "entry " + seq_text +
                ": prev_hash is not the hash of the entry before it (removed, inserted or "
                "reordered)");
      }
    }
    if (options.anchor && options.anchor->first == e.seq) {
      anchor_found = true;
      if (options.anchor->second != e.hash) {
        add(e.seq, ProblemKind::kAnchor, seq_text + " 番のハッシュが控えと一致しません",
            "entry " + seq_text + ": hash differs from the anchor kept outside");
      }
    }
    seen.emplace(e.hash, e.seq);
    prev_seq = e.seq;
    prev_hash = e.hash;
    report.head_seq = e.seq;
    report.head_hash = e.hash;
    return core::Ok();
  }));
  if (options.anchor && !anchor_found) {
    add(options.anchor->first, ProblemKind::kAnchor,
        std::to_string(options.anchor->first) + " 番の監査記録がありません（末尾の削除）",
        "anchored entry " + std::to_string(options.anchor->first) +
            " is gone (newest entries removed)");
  }
  return report;
}

}  // namespace ichigen::audit
