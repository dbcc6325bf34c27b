#include "intake/importer.h"

#include <chrono>
#include <ctime>
#include <filesystem>
#include <fstream>

#include "core/sha256.h"
#include "intake/hersys_row.h"
#include "intake/reasons.h"
#include "io/record_reader.h"

namespace ichigen::intake {

namespace {

constexpr int64_t kProgressEvery = 8192;

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

// Copies every non-empty incoming value over the stored one; returns the
// Japanese names of the fields whose value changed.
std::vector<std::string> MergeInto(store::PatientRecord& stored, const store::PatientRecord& in) {
  std::vector<std::string> changed;
  auto take = [&](std::string& to, const std::string& from, std::string_view label) {
    if (from.empty() || from == to) return;
    to = from;
    changed.emplace_back(label);
  };
  if (!in.name.empty() && in.name != stored.name) {
    stored.name = in.name;
    stored.name_key = in.name_key;
    stored.name_folded = in.name_folded;
    changed.emplace_back("氏名");
  }
  if (!in.name_kana.empty() && in.name_kana != stored.name_kana) {
    stored.name_kana = in.name_kana;
    stored.kana_key = in.kana_key;
    changed.emplace_back("フリガナ");
  }
  take(stored.sex, in.sex, "性別");
  take(stored.birth_date, in.birth_date, "生年月日");
  if (in.age && in.age != stored.age) {
    stored.age = in.age;
    changed.emplace_back("年齢");
  }
  take(stored.postal_code, in.postal_code, "郵便番号");
  if (!in.address.empty() && in.address != stored.address) {
    stored.address = in.address;
    stored.municipality_code = in.municipality_code;
    stored.residence_confidence = in.residence_confidence;
    changed.emplace_back("住所");
  }
  if (!in.phone.empty() && in.phone != stored.phone) {
    stored.phone = in.phone;
    stored.phone_key = in.phone_key;
    changed.emplace_back("電話番号");
  }
  take(stored.occupation, in.occupation, "職業");
  take(stored.notified_on, in.notified_on, "届出日");
  take(stored.onset_on, in.onset_on, "発症日");
  take(stored.diagnosed_on, in.diagnosed_on, "診断日");
  take(stored.reporting_facility, in.reporting_facility, "届出医療機関");
  take(stored.health_center, in.health_center, "管轄保健所");
  take(stored.severity, in.severity, "重症度");
  take(stored.care_status, in.care_status, "療養状況");
  take(stored.care_start_on, in.care_start_on, "療養開始日");
  if (in.consent_share && in.consent_share != stored.consent_share) {
    stored.consent_share = in.consent_share;
    changed.emplace_back("情報提供同意");
  }
  stored.flags = in.flags;
  stored.raw_json = in.raw_json;
  if (!in.extra_json.empty()) stored.extra_json = in.extra_json;
  stored.content_hash = in.content_hash;
  return changed;
}

// The same person? A HER-SYS ID is strong evidence, not proof: when both the
// name and the birth date disagree, the row is not linked on the ID.
bool ContradictsStored(const store::PatientRecord& stored, const store::PatientRecord& in) {
  const bool birth_differs = !stored.birth_date.empty() && !in.birth_date.empty() &&
                             stored.birth_date != in.birth_date;
  const bool name_differs = stored.name_folded != in.name_folded &&
                            (stored.kana_key.empty() || in.kana_key.empty() ||
                             stored.kana_key != in.kana_key);
  return birth_differs && name_differs;
}

std::string JoinLabels(const std::vector<std::string>& labels, std::string_view separator) {
  std::string out;
  for (const std::string& label : labels) {
    if (!out.empty()) out += separator;
    out += label;
  }
  return out;
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
  if (profile.name != "hersys") {
    return core::Fail(core::Code::kFailedPrecondition,
                      "このプロファイルの取込にはまだ対応していません: " + profile.title_ja,
                      "intake of this profile is not supported yet: " + profile.title_en);
  }
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

  const HersysRowMapper mapper(profile, *context_.registry, *context_.resolver, options.today);
  std::vector<std::string> values(profile.fields.size());
  size_t head_next = static_cast<size_t>(header.header_index) + 1;

  auto process = [&](const io::Record& record) -> core::Status {
    store::RowRecord row;
    row.line = record.line;
    ++report.rows;
    auto reject = [&](const Reason& reason) {
      row.outcome = store::Outcome::kRejected;
      row.reason_code = std::string(ReasonCodeName(reason.code));
      row.reason_ja = reason.ja;
      row.reason_en = reason.en;
      row.raw_text = record.raw_text;
      ++report.rejected;
      return writer->AddRow(row);
    };
    if (record.undecodable) {
      return reject(MakeReason(ReasonCode::kInvalidEncoding, record.error, record.error_en));
    }
    if (!record.error.empty()) {
      return reject(MakeReason(ReasonCode::kMalformedRow, record.error, record.error_en));
    }
    std::fill(values.begin(), values.end(), std::string());
    std::string extra;
    for (size_t c = 0; c < record.fields.size(); ++c) {
      const int field = c < header.column_field.size() ? header.column_field[c] : -1;
      if (field >= 0) {
        values[field] = record.fields[c];
      } else if (!record.fields[c].empty()) {
        extra += extra.empty() ? "{" : ",";
        const bool named = c < header.headers.size() && !header.headers[c].empty();
        AppendJsonString(extra, named ? header.headers[c] : "列" + std::to_string(c + 1));
        extra += ':';
        AppendJsonString(extra, record.fields[c]);
      }
    }
    if (!extra.empty()) extra += '}';

    auto mapped = mapper.Map(values);
    if (!mapped) return reject(mapped.error());
    store::PatientRecord& incoming = *mapped;
    incoming.extra_json = std::move(extra);

    ASSIGN_OR_RETURN(std::optional<store::PatientRecord> stored,
                     writer->FindPatientByHersysId(incoming.hersys_id));
    if (!stored) {
      incoming.created_batch = writer->batch_id();
      incoming.updated_batch = writer->batch_id();
      ASSIGN_OR_RETURN(row.patient_id, writer->InsertPatient(incoming));
      row.outcome = store::Outcome::kAccepted;
      row.hersys_id = incoming.hersys_id;
      ++report.accepted;
      return writer->AddRow(row);
    }
    if (ContradictsStored(*stored, incoming)) {
      const Reason reason = MakeReason(ReasonCode::kHersysIdContradiction,
                                       "登録済み「" + stored->name + " " + stored->birth_date +
                                           "」、この行「" + incoming.name + " " +
                                           incoming.birth_date + "」",
                                       "stored " + stored->birth_date + ", row " +
                                           incoming.birth_date);
      store::ReviewItem item;
      item.line = record.line;
      item.kind = std::string(ReasonCodeName(reason.code));
      item.reason_ja = reason.ja;
      item.reason_en = reason.en;
      item.row_json = incoming.raw_json;
      item.candidate_patient_id = stored->id;
      RETURN_IF_ERROR(writer->AddReviewItem(item));
      row.outcome = store::Outcome::kReview;
      row.reason_code = item.kind;
      row.reason_ja = reason.ja;
      row.reason_en = reason.en;
      row.raw_text = record.raw_text;
      ++report.review;
      return writer->AddRow(row);
    }
    row.outcome = store::Outcome::kMerged;
    row.patient_id = stored->id;
    row.hersys_id = stored->hersys_id;
    ++report.merged;
    if (stored->content_hash == incoming.content_hash) {
      const Reason reason = MakeReason(ReasonCode::kUnchanged);
      row.reason_code = std::string(ReasonCodeName(reason.code));
      row.reason_ja = reason.ja;
      row.reason_en = reason.en;
      return writer->AddRow(row);
    }
    const std::vector<std::string> changed = MergeInto(*stored, incoming);
    stored->updated_batch = writer->batch_id();
    RETURN_IF_ERROR(writer->UpdatePatient(*stored));
    const Reason reason = changed.empty()
                              ? MakeReason(ReasonCode::kUnchanged)
                              : MakeReason(ReasonCode::kUpdated, JoinLabels(changed, "、"),
                                           std::to_string(changed.size()) + " fields");
    row.reason_code = std::string(ReasonCodeName(reason.code));
    row.reason_ja = reason.ja;
    row.reason_en = reason.en;
    row.raw_text = record.raw_text;
    return writer->AddRow(row);
  };

  auto report_progress = [&]() {
    if (!options.progress) return;
    ImportProgress progress;
    progress.rows = report.rows;
    progress.bytes_read = reader->bytes_read();
    progress.total_bytes = reader->total_bytes();
    progress.seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    options.progress(progress);
  };

  for (; head_next < head.size(); ++head_next) RETURN_IF_ERROR(process(head[head_next]));
  while (true) {
    ASSIGN_OR_RETURN(const io::Record* record, reader->Next());
    if (record == nullptr) break;
    RETURN_IF_ERROR(process(*record));
    if (report.rows % kProgressEvery == 0) report_progress();
  }
  report_progress();

  report.seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  info.rows = report.rows;
  info.accepted = report.accepted;
  info.merged = report.merged;
  info.review = report.review;
  info.rejected = report.rejected;
  info.finished_at = NowIsoUtc();
  info.seconds = report.seconds;
  RETURN_IF_ERROR(writer->Commit(info));
  return report;
}

}  // namespace ichigen::intake
