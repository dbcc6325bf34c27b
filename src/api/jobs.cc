#include "api/jobs.h"

#include <ctime>
#include <filesystem>

namespace ichigen::api {

namespace {

core::Date TodayUtcPlus9(audit::TimePoint now) {
  // Japan Standard Time (UTC+9, no daylight saving) decides "today".
  const std::time_t t = std::chrono::system_clock::to_time_t(now + std::chrono::hours(9));
  std::tm tm{};
  gmtime_r(&t, &tm);
  return *core::Date::FromYmd(tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
}

}  // namespace

nlohmann::json JobInfo::ToJson() const {
  nlohmann::json out = {{"id", id},
                        {"state", state},
                        {"origin", origin},
                        {"file", file_name},
                        {"source", source},
                        {"submitted_by", submitted_by},
                        {"rows", rows},
                        {"bytes_read", bytes_read},
                        {"total_bytes", total_bytes},
                        {"seconds", seconds},
                        {"rows_per_second", rows_per_second},
                        {"created_at", created_at},
                        {"finished_at", finished_at.empty() ? nlohmann::json(nullptr)
                                                            : nlohmann::json(finished_at)},
                        {"batch_id", batch_id == 0 ? nlohmann::json(nullptr) : nlohmann::json(batch_id)},
                        {"duplicate_file", duplicate_file},
                        {"report", report.is_null() ? nlohmann::json(nullptr) : report}};
  if (error) {
    out["error"] = {{"code", core::CodeName(error->code)},
                    {"message", error->message},
                    {"message_en", error->message_en},
                    {"context", error->context}};
  } else {
    out["error"] = nullptr;
  }
  return out;
}

JobRunner::JobRunner(StorePool& stores, const intake::IntakeContext& intake,
                     audit::AuditLog& audit_log, Metrics& metrics, JsonLog& log,
                     audit::Clock clock)
    : stores_(stores),
      intake_(intake),
      audit_log_(audit_log),
      metrics_(metrics),
      log_(log),
      clock_(std::move(clock)),
      worker_([this] { Run(); }) {}

JobRunner::~JobRunner() { Shutdown(); }

core::Result<int64_t> JobRunner::Submit(JobRequest request) {
  std::lock_guard lock(mu_);
  if (stopping_) {
    return core::Fail(core::Code::kUnavailable, "サーバーを停止中のため取込を受け付けません",
                      "the server is shutting down; no new imports");
  }
  const int64_t id = next_id_++;
  JobInfo info;
  info.id = id;
  info.state = "queued";
  info.origin = request.origin;
  info.file_name = std::filesystem::path(request.path).filename().string();
  info.source = request.source;
  info.submitted_by = request.submitted_by;
  info.submitter_id = request.submitter_id;
  info.created_at = audit::IsoUtc(clock_());
  jobs_[id] = std::move(info);
  while (jobs_.size() > kKeepJobs && jobs_.begin()->second.state != "queued" &&
         jobs_.begin()->second.state != "running") {
    jobs_.erase(jobs_.begin());
  }
  queue_.emplace_back(id, std::move(request));
  wake_.notify_one();
  return id;
}

std::optional<JobInfo> JobRunner::Get(int64_t id) const {
  std::lock_guard lock(mu_);
  auto it = jobs_.find(id);
  if (it == jobs_.end()) return std::nullopt;
  return it->second;
}

size_t JobRunner::Pending() const {
  std::lock_guard lock(mu_);
  return queue_.size() + (running_ ? 1 : 0);
}

void JobRunner::SetAfterBatch(AfterBatchFn fn) {
  std::lock_guard lock(mu_);
  after_batch_ = std::move(fn);
}

void JobRunner::Shutdown() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
    wake_.notify_all();
  }
  if (worker_.joinable()) worker_.join();
}

void JobRunner::Update(int64_t id, const std::function<void(JobInfo&)>& change) {
  std::lock_guard lock(mu_);
  auto it = jobs_.find(id);
  if (it != jobs_.end()) change(it->second);
}

void JobRunner::Run() {
  while (true) {
    std::pair<int64_t, JobRequest> next;
    {
      std::unique_lock lock(mu_);
      wake_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
      // Draining: queued jobs still run after Shutdown() was called.
      if (queue_.empty()) return;
      next = std::move(queue_.front());
      queue_.pop_front();
      running_ = true;
    }
    RunOne(next.first, next.second);
    std::lock_guard lock(mu_);
    running_ = false;
  }
}

void JobRunner::RunOne(int64_t id, const JobRequest& request) {
  Update(id, [](JobInfo& job) { job.state = "running"; });
  const auto started = std::chrono::steady_clock::now();
  intake::ImportOptions options;
  options.profile = request.profile;
  options.source = request.source;
  options.today = TodayUtcPlus9(clock_());
  options.progress = [&](const intake::ImportProgress& progress) {
    Update(id, [&](JobInfo& job) {
      job.rows = progress.rows;
      job.bytes_read = progress.bytes_read;
      job.total_bytes = progress.total_bytes;
      job.seconds = progress.seconds;
      job.rows_per_second = progress.seconds > 0 ? progress.rows / progress.seconds : 0;
    });
  };
  core::Result<intake::ImportReport> report = [&]() -> core::Result<intake::ImportReport> {
    ASSIGN_OR_RETURN(StorePool::Lease store, stores_.Acquire());
    intake::Importer importer(*store, intake_);
    return importer.ImportFile(request.path, options);
  }();
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  AfterBatchFn after_batch;
  {
    std::lock_guard lock(mu_);
    after_batch = after_batch_;
  }
  std::optional<core::Result<nlohmann::json>> after;
  if (after_batch && report && !report->duplicate_file && report->batch_id != 0) {
    after = after_batch(report->batch_id);
    if (!*after) {
      log_.Write("error", "update after import failed; the batch stands",
                 {{"job", id}, {"batch_id", report->batch_id},
                  {"error", after->error().ToString()}});
    }
  }
  Update(id, [&](JobInfo& job) {
    job.finished_at = audit::IsoUtc(clock_());
    job.seconds = seconds;
    if (report) {
      job.state = "done";
      job.rows = report->rows;
      job.rows_per_second = seconds > 0 ? report->rows / seconds : 0;
      job.batch_id = report->batch_id;
      job.duplicate_file = report->duplicate_file;
      job.report = {{"batch_id", report->batch_id},     {"file", report->file},
                    {"sha256", report->sha256},         {"profile", report->profile},
                    {"encoding", report->encoding},     {"format", report->format},
                    {"header_line", report->header_line}, {"rows", report->rows},
                    {"accepted", report->accepted},     {"merged", report->merged},
                    {"review", report->review},         {"rejected", report->rejected},
                    {"duplicate_file", report->duplicate_file},
                    {"seconds", report->seconds},       {"unknown_columns", report->unknown_columns}};
      if (after && *after) job.report["stats"] = **after;
      if (after && !*after) {
        job.report["stats_error"] = {{"code", core::CodeName(after->error().code)},
                                     {"message", after->error().message},
                                     {"message_en", after->error().message_en},
                                     {"context", after->error().context}};
      }
    } else {
      job.state = "failed";
      job.error = report.error();
    }
  });
  metrics_.AddImport(report ? report->rows : 0, report.has_value());
  audit::AuditEvent event;
  event.actor = request.submitted_by;
  event.role = request.role;
  event.action = report ? "batch.import" : "batch.import_failed";
  if (report && report->batch_id != 0) event.targets.push_back("batch:" + std::to_string(report->batch_id));
  event.remote = request.remote;
  event.purpose = request.purpose;
  nlohmann::json details = {{"job", id},
                            {"origin", request.origin},
                            {"file", std::filesystem::path(request.path).filename().string()}};
  if (report) {
    details["rows"] = report->rows;
    details["duplicate_file"] = report->duplicate_file;
  } else {
    details["error"] = report.error().message_en;
  }
  event.details = details.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  if (auto appended = audit_log_.Append(event); !appended) {
    log_.Write("error", "audit append failed", {{"error", appended.error().ToString()}});
  }
  log_.Write(report ? "info" : "warn", "import finished",
             {{"job", id}, {"origin", request.origin}, {"ok", report.has_value()},
              {"rows", report ? report->rows : 0}, {"seconds", seconds}});
  if (request.on_done) {
    if (auto job = Get(id)) request.on_done(*job);
  }
}

}  // namespace ichigen::api
