#include "distribution/daily_scheduler.h"

namespace ichigen::distribution {

DailyScheduler::DailyScheduler(NowFn now, int cutoff_minute_of_day, Job job, FailureFn on_failure)
    : now_(std::move(now)),
      cutoff_minute_(cutoff_minute_of_day),
      job_(std::move(job)),
      on_failure_(std::move(on_failure)) {}

DailyScheduler::~DailyScheduler() { Stop(); }

Cutoff DailyScheduler::DueAt(int64_t unix_seconds) const {
  const Cutoff now = CutoffFromUnixSeconds(unix_seconds);
  Cutoff due{now.date, cutoff_minute_};
  if (now.minute_of_day < cutoff_minute_) due.date = now.date.AddDays(-1);
  return due;
}

bool DailyScheduler::RunDue() {
  std::lock_guard lock(mu_);
  const Cutoff due = DueAt(now_());
  if (last_success_ && *last_success_ >= due) return false;
  if (core::Status status = job_(due); status) {
    last_success_ = due;
  } else if (!last_failure_ || *last_failure_ != due) {
    last_failure_ = due;
    on_failure_(due, status.error());
  }
  return true;
}

void DailyScheduler::Start(std::chrono::milliseconds poll) {
  {
    std::lock_guard lock(thread_mu_);
    if (thread_.joinable()) return;
    stopping_ = false;
  }
  thread_ = std::thread([this, poll] {
    std::unique_lock lock(thread_mu_);
    while (!stopping_) {
      lock.unlock();
      RunDue();
      lock.lock();
      wake_.wait_for(lock, poll, [this] { return stopping_; });
    }
  });
}

void DailyScheduler::Stop() {
  {
    std::lock_guard lock(thread_mu_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

}  // namespace ichigen::distribution
