// MergeService: an operator merges two stored patients found to be one
// person (a HER-SYS duplicate, a "new person" that was not), and can undo
// it. Invariants (the merge half of the identity link rules, decision.h):
//
//  1. Events are never edited or deleted. A merge adds to the survivor a
//     copy of every event in force of the merged-away patient (its payload
//     as last corrected; voided events are not copied) and adds to the
//     merged-away patient one 訂正 cancelling each of them, so every
//     history-based view (census, packages) counts the person once.
//  2. Star-shaped: a merged-away patient is merged into exactly one
//     survivor and is never itself a survivor while that stands; a survivor
//     is never merged away while it holds a merge (unmerge first). No chains.
//  3. An unmerge cancels the survivor's copies and restores each cancelled
//     event of the merged-away patient with a 訂正 carrying the payload it
//     had before the merge: both histories are again what they were.
//  4. Every merge and unmerge is a stored decision with who and why
//     (store::MergeDecision), kept forever; while a merge stands the
//     merged-away patient is left out of searches and candidate blocks.
//
// Thread-safety: uses the Store it is given from one thread.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/result.h"
#include "store/store.h"

namespace ichigen::intake {

class MergeService {
 public:
  explicit MergeService(store::Store& store);

  // kInvalidArgument: the same patient twice, or no operator or reason;
  // kNotFound: a patient does not exist; kFailedPrecondition: a merge would
  // break invariant 2.
  core::Result<store::MergeDecision> Merge(int64_t survivor_id, int64_t merged_id,
                                           const std::string& by, const std::string& why);
  // Undoes merge decision `merge_id`. kNotFound: no such decision;
  // kFailedPrecondition: it is an unmerge, or was undone already.
  core::Result<store::MergeDecision> Unmerge(int64_t merge_id, const std::string& by,
                                             const std::string& why);
  // The merge standing for `merged_id` (as the merged-away patient), if any.
  core::Result<std::optional<store::MergeDecision>> StandingMergeOf(int64_t merged_id);

 private:
  store::Store& store_;
};

// The payload in force of each event that is not itself a 訂正, in id order:
// the event, or its latest correction (by received_at, then id; chains of
// corrections followed to the original), or nullptr when it is cancelled.
// The same rule the care-status fold applies (domain/care_status.cc).
struct InForce {
  const domain::Event* original = nullptr;
  const domain::Event* payload = nullptr;  // nullptr: cancelled
};
std::vector<InForce> EventsInForce(const std::vector<domain::Event>& events);

}  // namespace ichigen::intake
