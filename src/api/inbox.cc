#include "api/inbox.h"

#include <fstream>
#include <system_error>

namespace ichigen::api {

namespace fs = std::filesystem;

bool InboxIgnores(const std::string& name) {
  auto ends_with = [&](std::string_view suffix) {
    return name.size() >= suffix.size() &&
           name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0;
  };
  return name.empty() || name.front() == '.' || name.rfind("~$", 0) == 0 || ends_with(".part") ||
         ends_with(".tmp") || ends_with(".error.txt");
}

Inbox::Inbox(fs::path dir, JobRunner& jobs, JsonLog& log, std::chrono::milliseconds poll_interval)
    : dir_(std::move(dir)), jobs_(jobs), log_(log), poll_interval_(poll_interval) {}

Inbox::~Inbox() { Stop(); }

core::Status Inbox::Start() {
  std::error_code ec;
  fs::create_directories(dir_ / "hersys", ec);
  if (ec || !fs::is_directory(dir_)) {
    return core::Fail(core::Code::kUnavailable, "受信フォルダを作成できません",
                      "cannot create the inbox folder", dir_.string() + ": " + ec.message());
  }
  thread_ = std::thread([this] {
    std::unique_lock lock(mu_);
    while (!stop_) {
      lock.unlock();
      PollOnce();
      lock.lock();
      stop_cv_.wait_for(lock, poll_interval_, [&] { return stop_; });
    }
  });
  return core::Ok();
}

void Inbox::Stop() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
    stop_cv_.notify_all();
  }
  if (thread_.joinable()) thread_.join();
}

size_t Inbox::InFlight() const {
  std::lock_guard lock(mu_);
  return in_flight_.size();
}

void Inbox::PollOnce() {
  std::error_code ec;
  std::map<fs::path, Seen> now;
  for (const fs::directory_entry& source : fs::directory_iterator(dir_, ec)) {
    if (!source.is_directory(ec)) continue;
    const std::string source_name = source.path().filename().string();
    if (InboxIgnores(source_name)) continue;
    for (const fs::directory_entry& entry : fs::directory_iterator(source.path(), ec)) {
      if (!entry.is_regular_file(ec)) continue;
      const std::string name = entry.path().filename().string();
      if (InboxIgnores(name)) continue;
      Seen seen{entry.file_size(ec), entry.last_write_time(ec)};
      if (ec) continue;
      now[entry.path()] = seen;
    }
  }
  std::vector<fs::path> ready;
  {
    std::lock_guard lock(mu_);
    for (const auto& [path, seen] : now) {
      if (in_flight_.contains(path)) continue;
      auto before = seen_.find(path);
      if (before != seen_.end() && before->second.size == seen.size &&
          before->second.mtime == seen.mtime) {
        ready.push_back(path);
        in_flight_.insert(path);
      }
    }
    seen_ = std::move(now);
  }
  for (const fs::path& path : ready) {
    const std::string source = path.parent_path().filename().string();
    JobRequest request;
    request.path = path.string();
    request.origin = "inbox";
    request.source = source == "hersys" ? "" : source;
    request.submitted_by = "inbox";
    request.role = "system";
    request.remote = "inbox";
    request.purpose = "受信フォルダからの取込";
    request.on_done = [this, path](const JobInfo& job) { Finish(path, job); };
    auto submitted = jobs_.Submit(std::move(request));
    if (!submitted) {
      std::lock_guard lock(mu_);
      in_flight_.erase(path);
      continue;
    }
    log_.Write("info", "inbox file submitted",
               {{"job", *submitted}, {"source", source}, {"file", path.filename().string()}});
  }
}

void Inbox::Finish(const fs::path& file, const JobInfo& job) {
  const bool ok = job.state == "done";
  const fs::path target_dir = file.parent_path() / (ok ? "done" : "failed");
  std::error_code ec;
  fs::create_directories(target_dir, ec);
  fs::path target = target_dir / file.filename();
  for (int n = 1; fs::exists(target, ec); ++n) {
    target = target_dir / (file.stem().string() + "." + std::to_string(n) + file.extension().string());
  }
  fs::rename(file, target, ec);
  if (ec) {
    log_.Write("error", "inbox move failed", {{"file", file.filename().string()}, {"error", ec.message()}});
  }
  if (!ok && job.error) {
    std::ofstream note(target.string() + ".error.txt", std::ios::binary);
    note << "取込に失敗しました / import failed\n"
         << job.error->message << "\n"
         << job.error->message_en << "\n"
         << job.error->context << "\n";
  }
  std::lock_guard lock(mu_);
  in_flight_.erase(file);
  seen_.erase(file);
}

}  // namespace ichigen::api
