// JobRunner: imports run as jobs on one worker thread, in submission order
// (SQLite has one writer at a time, so one import at a time is what the
// store can do anyway). A job's progress (rows, rows/s, state) is visible
// while it runs; when it ends the batch report or the error is kept (the
// newest kKeepJobs jobs). Shutdown() refuses new jobs and returns once
// every queued and running job has finished, so a graceful stop never
// leaves a half batch (and a hard kill leaves none either: a batch is one
// transaction).
//
// Job states: queued → running → done | failed.
// Thread-safety: thread-safe; mu_ guards jobs_, queue_ and stopping_.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <thread>

#include "api/json_log.h"
#include "api/metrics.h"
#include "api/store_pool.h"
#include "audit/audit_log.h"
#include "core/result.h"
#include "intake/importer.h"

namespace ichigen::api {

struct JobInfo {
  int64_t id = 0;
  std::string state;  // "queued" | "running" | "done" | "failed"
  std::string origin; // "upload" | "inbox"
  std::string file_name;
  std::string source;
  std::string submitted_by;  // login, or "inbox"
  int64_t submitter_id = 0;  // 0 for the inbox
  int64_t rows = 0;
  int64_t bytes_read = 0;
  int64_t total_bytes = 0;
  double seconds = 0;
  double rows_per_second = 0;
  std::string created_at;
  std::string finished_at;
  int64_t batch_id = 0;
  bool duplicate_file = false;
  nlohmann::json report;           // the batch report when done
  std::optional<core::Error> error;  // when failed

  nlohmann::json ToJson() const;
};

struct JobRequest {
  std::string path;       // the file to import
  std::string origin = "upload";
  std::string source;     // "" = the profile's source
  std::string profile = "auto";
  std::string submitted_by;
  std::string role;
  int64_t submitter_id = 0;
  std::string remote;
  std::string purpose;
  std::function<void(const JobInfo&)> on_done;  // on the worker thread
};

class JobRunner {
 public:
  static constexpr size_t kKeepJobs = 1000;
  // Runs on the worker thread after an import committed a batch (not for an
  // already imported file), before the job is marked done, so whoever waits
  // for the job sees what it updated (the statistics). Its answer is kept in
  // the job's report under "stats" (null: nothing to do); its error under
  // "stats_error" and in the log — the batch and the job's state stand.
  using AfterBatchFn = std::function<core::Result<nlohmann::json>(int64_t batch_id)>;

  JobRunner(StorePool& stores, const intake::IntakeContext& intake, audit::AuditLog& audit_log,
            Metrics& metrics, JsonLog& log, audit::Clock clock);
  // The reference data imports use (profiles, registry, identity model).
  const intake::IntakeContext& intake() const { return intake_; }
  ~JobRunner();

  // kUnavailable once shutting down.
  core::Result<int64_t> Submit(JobRequest request);
  std::optional<JobInfo> Get(int64_t id) const;
  size_t Pending() const;  // queued + running
  void SetAfterBatch(AfterBatchFn fn);
  void Shutdown();

 private:
  void Run();
  void RunOne(int64_t id, const JobRequest& request);
  void Update(int64_t id, const std::function<void(JobInfo&)>& change);

  StorePool& stores_;
  const intake::IntakeContext& intake_;
  audit::AuditLog& audit_log_;
  Metrics& metrics_;
  JsonLog& log_;
  audit::Clock clock_;

  mutable std::mutex mu_;
  std::condition_variable wake_;
  std::map<int64_t, JobInfo> jobs_;                       // guarded by mu_
  std::deque<std::pair<int64_t, JobRequest>> queue_;      // guarded by mu_
  int64_t next_id_ = 1;                                   // guarded by mu_
  bool stopping_ = false;                                 // guarded by mu_
  bool running_ = false;                                  // guarded by mu_
  AfterBatchFn after_batch_;                              // guarded by mu_
  std::thread worker_;
};

}  // namespace ichigen::api
