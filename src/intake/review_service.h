// ReviewService: an operator's decisions on the review queue. Linking a
// queued update row to a patient adds the row's events to that patient;
// "new person" keeps the row as a patient of its own (no HER-SYS
// notification yet); rejecting closes it. Every decision is stored with who
// and why, and can be undone: undo cancels the events the decision added
// with 訂正 events (events are never edited or deleted) and reopens the item.
// Links are star-shaped: a row goes to one patient, never through another row.
// Thread-safety: uses the Store it is given from one thread.
#pragma once

#include <string>

#include "core/result.h"
#include "intake/importer.h"
#include "store/store.h"

namespace ichigen::intake {

class ReviewService {
 public:
  ReviewService(store::Store& store, const IntakeContext& context);

  core::Result<store::ReviewDecision> Link(int64_t item_id, int64_t patient_id,
                                           const std::string& by, const std::string& why);
  core::Result<store::ReviewDecision> NewPerson(int64_t item_id, const std::string& by,
                                                const std::string& why);
  core::Result<store::ReviewDecision> Reject(int64_t item_id, const std::string& by,
                                             const std::string& why);
  core::Result<store::ReviewDecision> Undo(int64_t item_id, const std::string& by,
                                           const std::string& why);

 private:
  struct Queued {
    store::ReviewItem item;
    store::BatchInfo batch;
    const Profile* profile = nullptr;
    std::vector<std::string> values;  // by profile field
  };
  core::Result<Queued> LoadOpen(int64_t item_id);
  core::Result<std::vector<int64_t>> AddRowEvents(store::BatchWriter& writer, const Queued& queued,
                                                  int64_t patient_id, int decision_number);

  store::Store& store_;
  const IntakeContext& context_;
};

}  // namespace ichigen::intake
