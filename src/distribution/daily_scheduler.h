// DailyScheduler: runs the package build once a day at the cutoff (JST),
// every day of the year — weekends and holidays included, since home
// recuperation does not pause — and says so when it could not.
//
// RunDue() is the whole rule and is what tests drive with a fake clock: the
// due cutoff is the latest cutoff at or before now; if it has not run
// successfully yet, the job runs for it. A failure is reported once per
// cutoff (on_failure) and retried at the next poll; after the server was
// down over a cutoff, the first poll catches up with the latest one (older
// missed days are not rebuilt: yesterday's list is of no use today).
// Start() polls RunDue on a thread until Stop() or destruction.
//
// Thread-safety: thread-safe; mu_ guards the run state, and the job runs
// with mu_ held so two runs never overlap.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <thread>

#include "core/result.h"
#include "distribution/cutoff.h"

namespace ichigen::distribution {

class DailyScheduler {
 public:
  using NowFn = std::function<int64_t()>;  // unix seconds
  using Job = std::function<core::Status(const Cutoff&)>;
  using FailureFn = std::function<void(const Cutoff&, const core::Error&)>;

  DailyScheduler(NowFn now, int cutoff_minute_of_day, Job job, FailureFn on_failure);
  ~DailyScheduler();
  DailyScheduler(const DailyScheduler&) = delete;
  DailyScheduler& operator=(const DailyScheduler&) = delete;

  // The latest cutoff at or before `unix_seconds`.
  Cutoff DueAt(int64_t unix_seconds) const;
  // Runs the job for the due cutoff unless it already succeeded; returns
  // whether the job ran.
  bool RunDue();
  void Start(std::chrono::milliseconds poll);
  void Stop();

 private:
  NowFn now_;
  int cutoff_minute_;
  Job job_;
  FailureFn on_failure_;

  std::mutex mu_;
  std::optional<Cutoff> last_success_;  // guarded by mu_
  std::optional<Cutoff> last_failure_;  // guarded by mu_: reported once per cutoff

  std::mutex thread_mu_;
  std::condition_variable wake_;
  bool stopping_ = false;  // guarded by thread_mu_
  std::thread thread_;
};

}  // namespace ichigen::distribution
