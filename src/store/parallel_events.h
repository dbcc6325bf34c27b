// One pass over every patient's events, split into slices of the patient id
// space that run on their own threads, each with its own Store (a Store is
// used by one thread at a time). The census, the package builder and the
// statistics use it to derive states on all cores of the machine.
//
// `fn` is called concurrently from different threads, never for the same
// patient twice; `slice` (0 .. slices-1) tells the caller which per-thread
// accumulator to use. Within a slice, patients come in id order, and slice k
// holds lower ids than slice k+1, so concatenating per-slice results in slice
// order gives patient id order.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <span>

#include "core/result.h"
#include "domain/events.h"
#include "store/store.h"

namespace ichigen::store {

using StoreOpener = std::function<core::Result<std::unique_ptr<Store>>()>;

// The number of slices to use on this machine (the hardware threads, 1..8).
int DefaultSlices();

// Runs the pass with `slices` slices. The first slice runs on `store`, the
// others on stores from `open`; without an opener (or with slices <= 1) the
// whole pass runs on `store` alone. The first error of any slice is returned.
core::Status ForEachPatientEventsParallel(
    Store& store, const StoreOpener& open, int slices,
    const std::function<core::Status(int slice, int64_t patient_id,
                                     std::span<const domain::Event>)>& fn);

}  // namespace ichigen::store
