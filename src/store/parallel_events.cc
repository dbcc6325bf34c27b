#include "store/parallel_events.h"

#include <algorithm>
#include <thread>
#include <vector>

namespace ichigen::store {

int DefaultSlices() {
  const unsigned hardware = std::thread::hardware_concurrency();
  return static_cast<int>(std::clamp(hardware, 1u, 8u));
}

core::Status ForEachPatientEventsParallel(
    Store& store, const StoreOpener& open, int slices,
    const std::function<core::Status(int slice, int64_t patient_id,
                                     std::span<const domain::Event>)>& fn) {
  if (!open || slices <= 1) {
    return store.ForEachPatientEvents(
        [&](int64_t patient_id, std::span<const domain::Event> events) {
          return fn(0, patient_id, events);
        });
  }
  ASSIGN_OR_RETURN(const int64_t max_id, store.MaxPatientId());
  const int64_t span = max_id / slices + 1;
  auto range_of = [&](int slice) {
    PatientIdRange range{slice * span, (slice + 1) * span};
    if (slice == slices - 1) range.end = INT64_MAX;
    return range;
  };
  auto run = [&](Store& on, int slice) {
    return on.ForEachPatientEventsIn(
        range_of(slice), [&](int64_t patient_id, std::span<const domain::Event> events) {
          return fn(slice, patient_id, events);
        });
  };
  // Open every extra store before starting, so an open error starts nothing.
  std::vector<std::unique_ptr<Store>> extra;
  for (int slice = 1; slice < slices; ++slice) {
    ASSIGN_OR_RETURN(std::unique_ptr<Store> opened, open());
    extra.push_back(std::move(opened));
  }
  std::vector<core::Status> status(static_cast<size_t>(slices), core::Ok());
  {
    std::vector<std::jthread> threads;
    for (int slice = 1; slice < slices; ++slice) {
      threads.emplace_back([&, slice] {
        status[static_cast<size_t>(slice)] = run(*extra[static_cast<size_t>(slice - 1)], slice);
      });
    }
    status[0] = run(store, 0);
  }
  for (core::Status& s : status) RETURN_IF_ERROR(std::move(s));
  return core::Ok();
}

}  // namespace ichigen::store
