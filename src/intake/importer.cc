#include "intake/importer.h"

#include <chrono>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>
#include <ctime>
#include <filesystem>
#include <fstream>

#include "core/sha256.h"
#include "intake/hersys_row.h"
#include "intake/reasons.h"
#include "intake/row_handler.h"
#include "io/record_reader.h"

namespace ichigen::intake {

namespace {

constexpr size_t kChunkRows = 1024;
constexpr size_t kMaxQueuedChunks = 16;

struct Chunk {
  std::vector<std::unique_ptr<RowWork>> works;
  int64_t bytes_read = 0;
  std::optional<core::Error> error;  // the reader failed after these rows
  bool last = false;
};

// A bounded single-producer, single-consumer queue of chunks. Stop() makes
// Push return at once, so a reader never blocks on a writer that gave up.
// Thread-safe; guarded by mutex_.
class WorkQueue {
 public:
  void Push(Chunk chunk) {
    std::unique_lock lock(mutex_);
    not_full_.wait(lock, [&] { return stopped_ || chunks_.size() < kMaxQueuedChunks; });
    if (stopped_) return;
    chunks_.push_back(std::move(chunk));
    not_empty_.notify_one();
  }
  Chunk Pop() {
    std::unique_lock lock(mutex_);
    not_empty_.wait(lock, [&] { return !chunks_.empty(); });
    Chunk chunk = std::move(chunks_.front());
    chunks_.pop_front();
    not_full_.notify_one();
    return chunk;
  }
  void Stop() {
    std::lock_guard lock(mutex_);
    stopped_ = true;
    not_full_.notify_all();
  }
  bool stopped() const {
    std::lock_guard lock(mutex_);
    return stopped_;
  }

 private:
  mutable std::mutex mutex_;
  std::condition_variable not_full_;
  std::condition_variable not_empty_;
  std::deque<Chunk> chunks_;  // guarded by mutex_
  bool stopped_ = false;      // guarded by mutex_
};

core::Result<std::string> HashFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return core::Fail(core::Code::kNotFound, "ファイルを開けません", "cannot open file", path);
  }
  core::Sha256 hasher;
  std::vector<char> buffer(1 << 20);
  while (in) {
    in.read(buffer.data(), static_cast<std::streamsize>(buffer.size()));
    hasher.Update(std::string_view(buffer.data(), static_cast<size_t>(in.gcount())));
  }
  if (in.bad()) {
    return core::Fail(core::Code::kUnavailable, "ファイルの読み込みに失敗しました",
                      "failed reading file", path);
  }
  return hasher.HexDigest();
}

}  // namespace

std::string NowIsoUtc() {
  const std::time_t now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm tm{};
  gmtime_r(&now, &tm);
  char buffer[32];
  std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buffer;
}

core::Result<IntakeContext> IntakeContext::Load() {
  IntakeContext context;
  ASSIGN_OR_RETURN(context.profiles, LoadProfiles());
  ASSIGN_OR_RETURN(context.registry, geo::Registry::Load());
  context.resolver = std::make_unique<geo::AddressResolver>(*context.registry);
  ASSIGN_OR_RETURN(context.identity_model, identity::LoadDefaultModel());
  return context;
}

Importer::Importer(store::Store& store, const IntakeContext& context)
    : store_(store), context_(context) {}

core::Result<ImportReport> Importer::ImportFile(const std::string& path,
                                                const ImportOptions& options) {
  const auto started = std::chrono::steady_clock::now();
  ImportReport report;
  report.file = path;

  std::error_code ec;
  const auto size = std::filesystem::file_size(path, ec);
  if (ec) {
    return core::Fail(core::Code::kNotFound, "ファイルが見つかりません", "file not found", path);
  }
  if (static_cast<int64_t>(size) > options.max_file_bytes) {
    return core::Fail(core::Code::kResourceExhausted,
                      "ファイルが大きすぎます（上限 " +
                          std::to_string(options.max_file_bytes >> 20) + " MiB）",
                      "file too large", path);
  }
  ASSIGN_OR_RETURN(report.sha256, HashFile(path));
  ASSIGN_OR_RETURN(std::optional<store::BatchInfo> previous, store_.FindBatchBySha256(report.sha256));
  auto report_duplicate = [&](const store::BatchInfo& batch) {
    report.duplicate_file = true;
    report.batch_id = batch.id;
    report.profile = batch.profile;
    report.encoding = batch.encoding;
    report.format = batch.format;
    report.rows = batch.rows;
    report.accepted = batch.accepted;
    report.merged = batch.merged;
    report.review = batch.review;
    report.rejected = batch.rejected;
    return report;
  };
  if (previous) return report_duplicate(*previous);

  io::ReaderOptions reader_options;
  reader_options.encoding = options.encoding;
  reader_options.sheet = options.sheet;
  ASSIGN_OR_RETURN(std::unique_ptr<io::RecordReader> reader,
                   io::OpenRecordReader(path, reader_options));
  report.format = std::string(io::FileFormatName(reader->format()));
  report.encoding = std::string(io::EncodingName(reader->encoding()));

  // Look ahead for the header below any title rows.
  std::vector<io::Record> head;
  while (head.size() < static_cast<size_t>(kMaxTitleRows + 1)) {
    ASSIGN_OR_RETURN(const io::Record* record, reader->Next());
    if (record == nullptr) break;
    head.push_back(*record);
  }
  std::vector<std::vector<std::string>> head_fields;
  for (const io::Record& record : head) head_fields.push_back(record.fields);
  ASSIGN_OR_RETURN(HeaderMatch header, MatchHeader(head_fields, context_.profiles, options.profile));
  const Profile& profile = *header.profile;
  report.profile = profile.name;
  report.header_line = head[header.header_index].line;
  for (size_t c = 0; c < header.column_field.size(); ++c) {
    if (header.column_field[c] < 0 && !header.headers[c].empty()) {
      report.unknown_columns.push_back(header.headers[c]);
    }
  }

  store::BatchInfo info;
  info.sha256 = report.sha256;
  info.file_name = std::filesystem::path(path).filename().string();
  info.source = options.source.empty() ? profile.source : options.source;
  info.profile = profile.name;
  info.encoding = report.encoding;
  info.format = report.format;
  info.bytes = static_cast<int64_t>(size);
  info.started_at = NowIsoUtc();
  auto begun = store_.BeginBatch(info);
  if (!begun && begun.error().code == core::Code::kAlreadyExists) {
    // Another import of the same file won the race.
    ASSIGN_OR_RETURN(previous, store_.FindBatchBySha256(report.sha256));
    if (previous) return report_duplicate(*previous);
  }
  if (!begun) return std::unexpected(begun.error());
  std::unique_ptr<store::BatchWriter> writer = std::move(*begun);
  report.batch_id = writer->batch_id();

  RowOutcomes outcomes(*writer, report);
  RowContext row_context{*writer, outcomes, profile, context_, options.today,
                         std::chrono::duration_cast<std::chrono::seconds>(
                             std::chrono::system_clock::now().time_since_epoch())
                             .count(),
                         info.source};
  std::unique_ptr<RowHandler> handler = MakeRowHandler(row_context);
  if (handler == nullptr) {
    return core::Fail(core::Code::kFailedPrecondition,
                      "このプロファイルの取込方法が定義されていません: " + profile.title_ja,
                      "no intake is defined for this profile: " + profile.title_en);
  }
  // Turns a record into work for the handler (reading thread).
  auto make_work = [&](const io::Record& record) {
    std::unique_ptr<RowWork> work = handler->NewWork();
    work->record = record;
    if (record.undecodable) {
      work->rejected = MakeReason(ReasonCode::kInvalidEncoding, record.error, record.error_en);
      return work;
    }
    if (!record.error.empty()) {
      work->rejected = MakeReason(ReasonCode::kMalformedRow, record.error, record.error_en);
      return work;
    }
    work->values.resize(profile.fields.size());
    std::string& extra = work->extra_json;
    for (size_t c = 0; c < record.fields.size(); ++c) {
      const int field = c < header.column_field.size() ? header.column_field[c] : -1;
      if (field >= 0) {
        work->values[field] = record.fields[c];
      } else if (!record.fields[c].empty()) {
        extra += extra.empty() ? "{" : ",";
        const bool named = c < header.headers.size() && !header.headers[c].empty();
        AppendJsonString(extra, named ? header.headers[c] : "列" + std::to_string(c + 1));
        extra += ':';
        AppendJsonString(extra, record.fields[c]);
      }
    }
    if (!extra.empty()) extra += '}';
    handler->Prepare(*work);
    return work;
  };
  // Applies work in file order (writing thread).
  auto apply = [&](RowWork& work) -> core::Status {
    if (work.rejected) return outcomes.Reject(work.record, *work.rejected);
    return handler->Apply(work);
  };

  auto report_progress = [&](int64_t bytes_read) {
    if (!options.progress) return;
    ImportProgress progress;
    progress.rows = report.rows;
    progress.bytes_read = bytes_read;
    progress.total_bytes = reader->total_bytes();
    progress.seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    options.progress(progress);
  };

  for (size_t i = static_cast<size_t>(header.header_index) + 1; i < head.size(); ++i) {
    std::unique_ptr<RowWork> work = make_work(head[i]);
    RETURN_IF_ERROR(apply(*work));
  }
  head.clear();

  // Reading, decoding and normalizing (one thread) overlap with writing to
  // the store (this thread); a bounded queue of chunks keeps memory flat.
  WorkQueue queue;
  std::thread reading([&]() {
    Chunk chunk;
    while (!queue.stopped()) {
      auto record = reader->Next();
      if (!record) {
        chunk.error = record.error();
        break;
      }
      if (*record == nullptr) break;
      chunk.works.push_back(make_work(**record));
      if (chunk.works.size() == kChunkRows) {
        chunk.bytes_read = reader->bytes_read();
        queue.Push(std::move(chunk));
        chunk = Chunk();
      }
    }
    chunk.bytes_read = reader->bytes_read();
    chunk.last = true;
    queue.Push(std::move(chunk));
  });
  core::Status written = core::Ok();
  while (written) {
    Chunk chunk = queue.Pop();
    std::vector<std::string> hersys_ids;
    for (const std::unique_ptr<RowWork>& work : chunk.works) {
      if (work->rejected) continue;
      if (std::string_view id = handler->HersysIdOf(*work); !id.empty()) hersys_ids.emplace_back(id);
    }
    if (!hersys_ids.empty()) written = writer->Prefetch(hersys_ids);
    for (std::unique_ptr<RowWork>& work : chunk.works) {
      if (!written) break;
      written = apply(*work);
      if (!written) break;
    }
    if (written && chunk.error) written = std::unexpected(*chunk.error);
    if (written) report_progress(chunk.bytes_read);
    if (chunk.last) break;
  }
  if (!written) queue.Stop();
  reading.join();
  RETURN_IF_ERROR(written);

  info.rows = report.rows;
  info.accepted = report.accepted;
  info.merged = report.merged;
  info.review = report.review;
  info.rejected = report.rejected;
  info.finished_at = NowIsoUtc();
  info.seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  RETURN_IF_ERROR(writer->Commit(info));
  // The report's time includes the commit (index rebuilds, the final write).
  report.seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return report;
}

}  // namespace ichigen::intake
