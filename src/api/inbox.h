// Inbox: a watched folder with one subfolder per source (hersys/ for the
// HER-SYS export; any other folder name is the source name, e.g. a health
// center's or a facility's). A file dropped there (e.g. by an SFTP job) is
// imported as a batch once it is stable — the same size and modification
// time on two consecutive polls, and not named *.part, *.tmp, ~$* or .*
// (half-written) — then moved to <source>/done/, or to <source>/failed/
// with <name>.error.txt beside it saying why. The batch shows in the batch
// list like an upload.
// Thread-safety: PollOnce runs on the inbox thread (or a test's);
// mu_ guards seen_ and in_flight_, which the job callbacks also touch.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <filesystem>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <thread>

#include "api/jobs.h"
#include "api/json_log.h"

namespace ichigen::api {

class Inbox {
 public:
  Inbox(std::filesystem::path dir, JobRunner& jobs, JsonLog& log,
        std::chrono::milliseconds poll_interval);
  ~Inbox();

  // Creates dir/hersys if dir is empty, and starts polling on a thread.
  core::Status Start();
  // Stops polling (jobs already submitted still finish in the JobRunner).
  void Stop();
  // One scan: remembers sizes, submits the files that were stable.
  void PollOnce();
  // Files submitted and not yet moved.
  size_t InFlight() const;

 private:
  struct Seen {
    uintmax_t size = 0;
    std::filesystem::file_time_type mtime;
  };
  void Finish(const std::filesystem::path& file, const JobInfo& job);

  std::filesystem::path dir_;
  JobRunner& jobs_;
  JsonLog& log_;
  std::chrono::milliseconds poll_interval_;

  mutable std::mutex mu_;
  std::condition_variable stop_cv_;
  bool stop_ = false;                                 // guarded by mu_
  std::map<std::filesystem::path, Seen> seen_;        // guarded by mu_
  std::set<std::filesystem::path> in_flight_;         // guarded by mu_
  std::thread thread_;
};

// True for names the inbox never picks up (half-written or hidden).
bool InboxIgnores(const std::string& file_name);

}  // namespace ichigen::api
