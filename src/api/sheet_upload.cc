#include "api/sheet_upload.h"

#include <stdlib.h>

#include <algorithm>
#include <fstream>
#include <optional>

#include "api/services.h"
#include "text/normalize.h"

namespace ichigen::api {

namespace fs = std::filesystem;

core::Result<store::DistributionStore*> RequireDistribution(Exchange& ex) {
  store::DistributionStore* distribution = ex.services().distribution;
  if (distribution == nullptr) {
    return core::Fail(core::Code::kUnavailable, "配信の機能がこのサーバーでは有効になっていません",
                      "distribution is not enabled on this server");
  }
  return distribution;
}

ReceivedSheet::ReceivedSheet(ReceivedSheet&& other) noexcept
    : dir_(std::move(other.dir_)), name_(std::move(other.name_)), bytes_(other.bytes_) {
  other.dir_.clear();
}

ReceivedSheet::~ReceivedSheet() {
  if (dir_.empty()) return;
  std::error_code ignored;
  fs::remove_all(dir_, ignored);
}

core::Result<ReceivedSheet> ReceiveSheet(Exchange& ex) {
  const httplib::Request& request = ex.request();
  if (!request.is_multipart_form_data() || ex.reader() == nullptr) {
    return core::Fail(core::Code::kInvalidArgument,
                      "ファイルは multipart/form-data の file 欄で送ってください",
                      "send the file as multipart/form-data field 'file'");
  }
  const int64_t limit = std::min(kMaxSheetBytes, ex.services().options.max_upload_bytes);
  auto too_large = [&] {
    ex.response().set_header("Connection", "close");
    return core::Error{core::Code::kResourceExhausted, "ファイルが大きすぎます",
                       "the file is too large", "limit=" + std::to_string(limit)};
  };
  std::error_code ec;
  fs::create_directories(ex.services().options.upload_dir, ec);
  std::string dir_template =
      (fs::path(ex.services().options.upload_dir) / "sheet-XXXXXX").string();
  if (ec || ::mkdtemp(dir_template.data()) == nullptr) {
    return core::Fail(core::Code::kUnavailable, "一時フォルダを作れません",
                      "cannot create the upload folder");
  }
  ReceivedSheet sheet(dir_template, "", 0);  // removes the folder on every return
  std::string field, name;
  std::ofstream out;
  int64_t bytes = 0;
  int files = 0;
  std::optional<core::Error> error;
  const bool read = (*ex.reader())(
      [&](const httplib::MultipartFormData& part) {
        field = part.name;
        if (field != "file") return true;
        if (++files > 1) {
          error = core::Error{core::Code::kInvalidArgument, "ファイルは1回に1つです",
                              "one file per upload", ""};
          return false;
        }
        name = part.filename.substr(0, 255);
        out.open(fs::path(dir_template) / "sheet", std::ios::binary);
        if (!out) {
          error = core::Error{core::Code::kUnavailable, "一時ファイルを作れません",
                              "cannot create the temporary file", ""};
          return false;
        }
        return true;
      },
      [&](const char* data, size_t size) {
        if (field != "file") return true;
        bytes += static_cast<int64_t>(size);
        if (bytes > limit) {
          error = too_large();
          return false;
        }
        out.write(data, static_cast<std::streamsize>(size));
        return static_cast<bool>(out);
      });
  out.close();
  if (error) return std::unexpected(*error);
  if (!read) {
    ex.response().set_header("Connection", "close");
    return core::Fail(core::Code::kInvalidArgument, "アップロードを受け取れませんでした",
                      "the upload could not be read");
  }
  if (files == 0) {
    return core::Fail(core::Code::kInvalidArgument, "file 欄にファイルがありません",
                      "no 'file' field in the form");
  }
  if (!text::IsValidUtf8(name)) name = "(invalid name)";
  sheet.Describe(std::move(name), bytes);
  return sheet;
}

nlohmann::json SheetReportJson(const distribution::SheetImportReport& report) {
  nlohmann::json errors = nlohmann::json::array();
  for (const distribution::SheetRowError& e : report.errors) {
    errors.push_back({{"line", e.line},
                      {"message", e.message},
                      {"message_en", e.message_en},
                      {"context", e.context}});
  }
  return {{"format", report.format},     {"encoding", report.encoding},
          {"recorded", report.recorded}, {"rejected", report.rejected},
          {"alerts", report.alerts},     {"errors", errors}};
}

}  // namespace ichigen::api
