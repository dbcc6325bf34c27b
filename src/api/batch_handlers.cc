// Batches: upload a file as a batch (multipart, streamed to a temporary
// file, never held in memory; imported as a job), the batch list, one
// batch, its rows, and its reject report as CSV (CP932, for Excel).
#include <stdlib.h>

#include <charconv>
#include <filesystem>
#include <fstream>

#include "api/handlers.h"
#include "text/normalize.h"
#include "api/services.h"
#include "io/csv_writer.h"
#include "store/store.h"

namespace ichigen::api {

namespace {

namespace fs = std::filesystem;

nlohmann::json BatchJson(const store::BatchInfo& b) {
  return {{"id", b.id},           {"file", b.file_name},   {"sha256", b.sha256},
          {"source", b.source},   {"profile", b.profile},  {"encoding", b.encoding},
          {"format", b.format},   {"bytes", b.bytes},      {"rows", b.rows},
          {"accepted", b.accepted}, {"merged", b.merged},  {"review", b.review},
          {"rejected", b.rejected}, {"started_at", b.started_at},
          {"finished_at", b.finished_at}, {"seconds", b.seconds}};
}


// An uploaded file's name must be a plain name: no folders, no control
// characters, valid UTF-8 (it becomes the batch's file name and a path).
core::Status CheckUploadName(const std::string& name) {
  auto bad = [&](std::string ja, std::string en) {
    return core::Fail(core::Code::kInvalidArgument, std::move(ja), std::move(en),
                      "filename");
  };
  if (name.empty()) return bad("ファイル名がありません", "the file has no name");
  if (name.size() > 255) return bad("ファイル名が長すぎます", "the file name is too long");
  if (!text::IsValidUtf8(name)) return bad("ファイル名の文字コードが不正です", "the file name is not valid UTF-8");
  for (unsigned char c : name) {
    if (c == '/' || c == '\\') {
      return bad("ファイル名にフォルダ（/ や \\）は含められません",
                 "the file name must not contain a path (/ or \\)");
    }
    if (c < 0x20 || c == 0x7f) return bad("ファイル名に制御文字は使えません", "control character in the file name");
  }
  if (name.front() == '.') {
    return bad("ファイル名が不正です（. で始まる名前は使えません）", "invalid file name (starts with .)");
  }
  return core::Ok();
}

core::Status Upload(Exchange& ex) {
  ApiServices& s = ex.services();
  const httplib::Request& request = ex.request();
  if (!request.is_multipart_form_data() || ex.reader() == nullptr) {
    return core::Fail(core::Code::kInvalidArgument,
                      "ファイルは multipart/form-data の file 欄で送ってください",
                      "send the file as multipart/form-data field 'file'");
  }
  const int64_t limit = s.options.max_upload_bytes;
  if (request.has_header("Content-Length")) {
    const std::string length = request.get_header_value("Content-Length");
    int64_t declared = 0;
    auto [ptr, parse_error] = std::from_chars(length.data(), length.data() + length.size(), declared);
    if (parse_error != std::errc() || declared > limit + (1 << 16)) {
      ex.response().set_header("Connection", "close");
      return core::Fail(core::Code::kResourceExhausted, "ファイルが大きすぎます", "the file is too large",
                        "limit=" + std::to_string(limit));
    }
  }
  const Principal& p = ex.principal();
  std::error_code ec;
  fs::create_directories(s.options.upload_dir, ec);
  // mkdtemp: a fresh private folder per upload, so names never collide.
  std::string dir_template = (fs::path(s.options.upload_dir) / "upload-XXXXXX").string();
  if (ec || ::mkdtemp(dir_template.data()) == nullptr) {
    return core::Fail(core::Code::kUnavailable, "一時フォルダを作れません",
                      "cannot create the upload folder", s.options.upload_dir);
  }
  const fs::path dir = dir_template;
  struct State {
    std::string field;
    std::ofstream file;
    fs::path path;
    int64_t bytes = 0;
    int files = 0;
    std::string source;
    std::string profile;
    std::optional<core::Error> error;
  } st;
  const bool read = (*ex.reader())(
      [&](const httplib::MultipartFormData& part) {
        st.field = part.name;
        if (part.name == "file") {
          if (++st.files > 1) {
            st.error = core::Error{core::Code::kInvalidArgument, "ファイルは1回に1つです",
                                   "one file per upload", ""};
            return false;
          }
          if (auto named = CheckUploadName(part.filename); !named) {
            st.error = named.error();
            return false;
          }
          st.path = dir / part.filename;
          st.file.open(st.path, std::ios::binary);
          if (!st.file) {
            st.error = core::Error{core::Code::kUnavailable, "一時ファイルを作れません",
                                   "cannot create the temporary file", ""};
            return false;
          }
        }
        return true;
      },
      [&](const char* data, size_t size) {
        if (st.field == "file") {
          st.bytes += static_cast<int64_t>(size);
          if (st.bytes > limit) {
            st.error = core::Error{core::Code::kResourceExhausted, "ファイルが大きすぎます",
                                   "the file is too large", "limit=" + std::to_string(limit)};
            return false;
          }
          st.file.write(data, static_cast<std::streamsize>(size));
          return static_cast<bool>(st.file);
        }
        if (st.field == "source" || st.field == "profile") {
          std::string& value = st.field == "source" ? st.source : st.profile;
          if (value.size() + size <= 100) value.append(data, size);
        }
        return true;
      });
  st.file.close();
  auto cleanup = [&] { fs::remove_all(dir, ec); };
  if (st.error || !read) {
    cleanup();
    ex.response().set_header("Connection", "close");
    if (st.error) return std::unexpected(*st.error);
    return core::Fail(core::Code::kInvalidArgument, "アップロードを受け取れませんでした",
                      "the upload could not be read");
  }
  if (st.files == 0) {
    cleanup();
    return core::Fail(core::Code::kInvalidArgument, "file 欄にファイルがありません",
                      "no 'file' field in the form");
  }
  JobRequest job;
  job.path = st.path.string();
  job.origin = "upload";
  job.profile = st.profile.empty() ? "auto" : st.profile;
  // Prefecture staff name the source; a health center or facility uploads as itself.
  job.source = (p.role == Role::kAdmin || p.role == Role::kOperator) ? st.source : p.scope;
  job.submitted_by = p.login;
  job.submitter_id = p.user_id;
  job.role = std::string(RoleName(p.role));
  job.remote = ex.Remote();
  job.purpose = ex.Purpose();
  job.on_done = [dir](const JobInfo&) {
    std::error_code ignored;
    fs::remove_all(dir, ignored);
  };
  const std::string file_name = st.path.filename().string();
  RETURN_IF_ERROR(ex.Audit("batch.upload", {}, {{"file", file_name}, {"bytes", st.bytes}}));
  auto id = s.jobs.Submit(std::move(job));
  if (!id) {
    cleanup();
    return std::unexpected(id.error());
  }
  ex.Reply(202, {{"job_id", *id}, {"job", "/api/v1/jobs/" + std::to_string(*id)},
                 {"file", file_name}, {"bytes", st.bytes}});
  return core::Ok();
}

core::Status ListBatches(Exchange& ex) {
  ASSIGN_OR_RETURN(auto page, ex.Page());
  ASSIGN_OR_RETURN(StorePool::Lease store, ex.services().stores.Acquire());
  ASSIGN_OR_RETURN(std::vector<store::BatchInfo> batches, store->ListBatches());
  // Newest first.
  nlohmann::json items = nlohmann::json::array();
  const int64_t total = static_cast<int64_t>(batches.size());
  for (int64_t i = total - 1 - page.second; i >= 0 && i > total - 1 - page.second - page.first; --i) {
    items.push_back(BatchJson(batches[static_cast<size_t>(i)]));
  }
  ex.ReplyPage(items, total, page.first, page.second);
  return core::Ok();
}

core::Status GetBatch(Exchange& ex) {
  ASSIGN_OR_RETURN(int64_t id, ex.PathId("id"));
  ASSIGN_OR_RETURN(StorePool::Lease store, ex.services().stores.Acquire());
  ASSIGN_OR_RETURN(store::BatchInfo batch, store->GetBatch(id));
  ex.Reply(200, BatchJson(batch));
  return core::Ok();
}

core::Status BatchRows(Exchange& ex) {
  ASSIGN_OR_RETURN(int64_t id, ex.PathId("id"));
  ASSIGN_OR_RETURN(auto page, ex.Page(1000));
  std::optional<store::Outcome> outcome;
  if (const std::string name = ex.Query("outcome"); !name.empty()) {
    ASSIGN_OR_RETURN(outcome, store::ParseOutcome(name));
  }
  ASSIGN_OR_RETURN(StorePool::Lease store, ex.services().stores.Acquire());
  ASSIGN_OR_RETURN(store::BatchInfo batch, store->GetBatch(id));
  nlohmann::json items = nlohmann::json::array();
  int64_t total = 0;
  std::vector<std::string> targets;
  RETURN_IF_ERROR(store->ForEachRow(id, outcome, [&](const store::RowRecord& row) {
    if (total >= page.second && total < page.second + page.first) {
      items.push_back({{"line", row.line},
                       {"outcome", store::OutcomeName(row.outcome)},
                       {"patient_id", row.patient_id == 0 ? nlohmann::json(nullptr) : nlohmann::json(row.patient_id)},
                       {"hersys_id", row.hersys_id.empty() ? nlohmann::json(nullptr) : nlohmann::json(row.hersys_id)},
                       {"reason_code", row.reason_code},
                       {"reason", row.reason_ja},
                       {"reason_en", row.reason_en}});
      if (row.patient_id != 0) targets.push_back("patient:" + std::to_string(row.patient_id));
    }
    ++total;
    return core::Ok();
  }));
  targets.insert(targets.begin(), "batch:" + std::to_string(batch.id));
  RETURN_IF_ERROR(ex.Audit("batch.rows_read", targets, {{"outcome", ex.Query("outcome")}}));
  ex.ReplyPage(items, total, page.first, page.second);
  return core::Ok();
}

core::Status Rejects(Exchange& ex) {
  ASSIGN_OR_RETURN(int64_t id, ex.PathId("id"));
  io::Encoding encoding = io::Encoding::kCp932;
  if (ex.Query("encoding") == "utf-8-bom") encoding = io::Encoding::kUtf8Bom;
  ASSIGN_OR_RETURN(StorePool::Lease store, ex.services().stores.Acquire());
  ASSIGN_OR_RETURN(store::BatchInfo batch, store->GetBatch(id));
  std::unique_ptr<io::CsvWriter> writer = io::CsvWriter::InMemory(encoding);
  RETURN_IF_ERROR(writer->WriteRow({"行番号", "理由コード", "理由", "reason", "元の行"}));
  int64_t count = 0;
  RETURN_IF_ERROR(store->ForEachRow(id, store::Outcome::kRejected, [&](const store::RowRecord& row) {
    ++count;
    return writer->WriteRow({std::to_string(row.line), row.reason_code, row.reason_ja,
                             row.reason_en, row.raw_text});
  }));
  RETURN_IF_ERROR(writer->Close());
  RETURN_IF_ERROR(ex.Audit("batch.rejects_download", {"batch:" + std::to_string(batch.id)},
                           {{"rows", count}}));
  ex.response().status = 200;
  ex.response().set_header("Content-Disposition",
                           "attachment; filename=\"rejects-" + std::to_string(batch.id) + ".csv\"");
  ex.response().set_content(writer->Take(), encoding == io::Encoding::kCp932
                                                ? "text/csv; charset=Shift_JIS"
                                                : "text/csv; charset=utf-8");
  return core::Ok();
}

}  // namespace

void AddBatchRoutes(RouteTable& table) {
  const Access prefecture = Roles({Role::kAdmin, Role::kOperator});
  table.Add({.method = Method::kPost,
             .path = "/api/v1/batches",
             .summary = "ファイルを取り込む: multipart field 'file' (+ 'source', 'profile'); "
                        "202 with the import job",
             .tag = "batches",
             .access = Roles({Role::kAdmin, Role::kOperator, Role::kHealthCenter, Role::kFacility}),
             .body = Body::kMultipart,
             .params = {{"purpose", "query", "string", "audit purpose"}},
             .personal_data = true,
             .handler = Upload});
  table.Add({.method = Method::kGet,
             .path = "/api/v1/batches",
             .summary = "取込バッチ一覧 (newest first; paginated)",
             .tag = "batches",
             .access = prefecture,
             .params = {{"limit", "query", "integer", "1..200, default 50"},
                        {"offset", "query", "integer", "default 0"}},
             .handler = ListBatches});
  table.Add({.method = Method::kGet,
             .path = "/api/v1/batches/{id}",
             .summary = "取込バッチの報告 (one batch's counts)",
             .tag = "batches",
             .access = prefecture,
             .handler = GetBatch});
  table.Add({.method = Method::kGet,
             .path = "/api/v1/batches/{id}/rows",
             .summary = "バッチの各行の結果 (paginated; outcome filter)",
             .tag = "batches",
             .access = prefecture,
             .params = {{"outcome", "query", "string", "accepted | merged | review | rejected"},
                        {"limit", "query", "integer", "1..1000, default 50"},
                        {"offset", "query", "integer", "default 0"},
                        {"purpose", "query", "string", "audit purpose"}},
             .personal_data = true,
             .handler = BatchRows});
  table.Add({.method = Method::kGet,
             .path = "/api/v1/batches/{id}/rejects.csv",
             .summary = "エラー行一覧のCSV (CP932 for Excel; encoding=utf-8-bom)",
             .tag = "batches",
             .access = prefecture,
             .params = {{"encoding", "query", "string", "cp932 (default) | utf-8-bom"},
                        {"purpose", "query", "string", "audit purpose"}},
             .produces = "text/csv",
             .personal_data = true,
             .handler = Rejects});
}

}  // namespace ichigen::api
