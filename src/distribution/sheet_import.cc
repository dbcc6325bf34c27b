#include "distribution/sheet_import.h"

#include <charconv>
#include <deque>
#include <map>
#include <memory>

#include "core/resources.h"
#include "distribution/trim.h"
#include "intake/profile.h"
#include "io/record_reader.h"

namespace ichigen::distribution {

namespace {

// A sheet opened with its header found: the records after the header, in
// order, and the column of each profile field.
class Sheet {
 public:
  static core::Result<Sheet> Open(const std::string& path, std::string_view profile_file) {
    ASSIGN_OR_RETURN(std::string text, core::LoadDataFile(profile_file));
    ASSIGN_OR_RETURN(intake::Profile profile, intake::ParseProfile(text, profile_file));
    Sheet sheet;
    ASSIGN_OR_RETURN(sheet.reader_, io::OpenRecordReader(path));
    std::vector<std::vector<std::string>> head;
    for (int i = 0; i <= intake::kMaxTitleRows; ++i) {
      ASSIGN_OR_RETURN(const io::Record* record, sheet.reader_->Next());
      if (record == nullptr) break;
      sheet.buffered_.push_back(*record);
      head.push_back(record->fields);
    }
    if (head.empty()) {
      return core::Fail(core::Code::kInvalidArgument, "空のファイルです", "empty file", path);
    }
    const std::vector<intake::Profile> profiles = {profile};
    ASSIGN_OR_RETURN(intake::HeaderMatch match, intake::MatchHeader(head, profiles, profile.name));
    for (int i = 0; i <= match.header_index; ++i) sheet.buffered_.pop_front();
    for (size_t c = 0; c < match.column_field.size(); ++c) {
      if (match.column_field[c] >= 0) {
        sheet.columns_[profile.fields[static_cast<size_t>(match.column_field[c])].field] =
            static_cast<int>(c);
      }
    }
    return sheet;
  }

  // The next data record, or nullptr at the end.
  core::Result<const io::Record*> Next() {
    if (!buffered_.empty()) {
      current_ = std::move(buffered_.front());
      buffered_.pop_front();
      return &current_;
    }
    return reader_->Next();
  }

  // The trimmed value of a field in a record; "" when the sheet lacks it.
  std::string Field(const io::Record& record, const std::string& field) const {
    auto it = columns_.find(field);
    if (it == columns_.end() || static_cast<size_t>(it->second) >= record.fields.size()) return "";
    return std::string(TrimSpaces(record.fields[static_cast<size_t>(it->second)]));
  }

  bool Has(const std::string& field) const { return columns_.contains(field); }

  void Describe(SheetImportReport& report) const {
    report.format = std::string(io::FileFormatName(reader_->format()));
    report.encoding = std::string(io::EncodingName(reader_->encoding()));
  }

 private:
  std::unique_ptr<io::RecordReader> reader_;
  std::deque<io::Record> buffered_;
  io::Record current_;
  std::map<std::string, int> columns_;
};

bool IsBlank(const io::Record& record) {
  for (const std::string& field : record.fields) {
    if (!TrimSpaces(field).empty()) return false;
  }
  return true;
}

// Runs one row; counts it and keeps its error.
void Count(SheetImportReport& report, const io::Record& record, const core::Status& status) {
  if (status) {
    ++report.recorded;
    return;
  }
  ++report.rejected;
  if (report.errors.size() < kMaxReportedRowErrors) {
    report.errors.push_back({record.line, status.error().message, status.error().message_en,
                             status.error().context.substr(0, 200)});
  }
}

core::Status RecordError(const io::Record& record) {
  if (record.error.empty()) return core::Ok();
  return core::Fail(core::Code::kInvalidArgument, record.error, record.error_en);
}

}  // namespace

core::Result<Consent> ParseConsentWord(std::string_view text) {
  static const std::map<std::string_view, Consent> kWords = {
      {"given", Consent::kGiven},         {"あり", Consent::kGiven},
      {"有", Consent::kGiven},            {"同意", Consent::kGiven},
      {"同意あり", Consent::kGiven},      {"1", Consent::kGiven},
      {"withdrawn", Consent::kWithdrawn}, {"撤回", Consent::kWithdrawn},
      {"同意撤回", Consent::kWithdrawn},  {"なし", Consent::kWithdrawn},
      {"無", Consent::kWithdrawn},        {"0", Consent::kWithdrawn}};
  if (auto it = kWords.find(TrimSpaces(text)); it != kWords.end()) return it->second;
  return core::Fail(core::Code::kInvalidArgument,
                    "同意は given（あり）か withdrawn（撤回）で指定してください",
                    "consent is given or withdrawn", std::string(text.substr(0, 60)));
}

core::Result<core::Date> ParseSheetDate(std::string_view text) {
  const std::string_view trimmed = TrimSpaces(text);
  if (auto date = core::Date::ParseIso(trimmed)) return *date;
  // YYYY/M/D or YYYY年M月D日: three numbers and their separators.
  int parts[3] = {0, 0, 0};
  size_t at = 0;
  bool ok = true;
  for (int i = 0; i < 3 && ok; ++i) {
    const char* begin = trimmed.data() + at;
    const char* end = trimmed.data() + trimmed.size();
    if (begin == end || *begin < '0' || *begin > '9') {  // no sign, no spaces inside
      ok = false;
      break;
    }
    auto [ptr, error] = std::from_chars(begin, end, parts[i]);
    if (error != std::errc() || ptr == begin) {
      ok = false;
      break;
    }
    at = static_cast<size_t>(ptr - trimmed.data());
    const std::string_view rest = trimmed.substr(at);
    // After the year "/" or 年, after the month "/" or 月, after the day 日 or nothing.
    static constexpr std::string_view kSeparators[3][2] = {{"/", "年"}, {"/", "月"}, {"日", ""}};
    bool matched = false;
    for (std::string_view sep : kSeparators[i]) {
      if (rest.starts_with(sep)) {  // "" always matches: the end is checked below
        at += sep.size();
        matched = true;
        break;
      }
    }
    ok = matched;
  }
  if (ok && at == trimmed.size()) {
    if (auto date = core::Date::FromYmd(parts[0], parts[1], parts[2])) return *date;
  }
  return core::Fail(core::Code::kInvalidArgument, "日付は YYYY-MM-DD（または YYYY/M/D）で書いてください",
                    "dates are YYYY-MM-DD (or YYYY/M/D)", std::string(text.substr(0, 40)));
}

core::Result<SheetImportReport> ImportConsentSheet(const std::string& path, store::Store& store,
                                                   store::DistributionStore& distribution,
                                                   const ConsentSheetOptions& options) {
  ASSIGN_OR_RETURN(Sheet sheet, Sheet::Open(path, "distribution/consent_sheet.json"));
  SheetImportReport report;
  sheet.Describe(report);
  for (;;) {
    ASSIGN_OR_RETURN(const io::Record* record, sheet.Next());
    if (record == nullptr) break;
    if (record->error.empty() && IsBlank(*record)) continue;
    auto one = [&]() -> core::Status {
      RETURN_IF_ERROR(RecordError(*record));
      ASSIGN_OR_RETURN(Consent state, ParseConsentWord(sheet.Field(*record, "consent")));
      const std::string hersys_id = sheet.Field(*record, "hersys_id");
      if (hersys_id.empty()) {
        return core::Fail(core::Code::kInvalidArgument, "HER-SYS ID が空です", "HER-SYS ID is empty");
      }
      ASSIGN_OR_RETURN(auto patient, store.FindPatientByHersysId(hersys_id));
      if (!patient) {
        return core::Fail(core::Code::kNotFound, "この HER-SYS ID の患者はいません",
                          "no patient with this HER-SYS ID", hersys_id.substr(0, 40));
      }
      store::ConsentRecord r;
      r.patient_id = patient->id;
      r.consent = state;
      r.source = sheet.Field(*record, "source");
      if (r.source.empty()) r.source = options.default_source;
      r.on = options.today;
      if (const std::string on = sheet.Field(*record, "on"); !on.empty()) {
        ASSIGN_OR_RETURN(r.on, ParseSheetDate(on));
      }
      r.recorded_at = options.now_utc;
      ASSIGN_OR_RETURN(int64_t id, distribution.AddConsent(r));
      static_cast<void>(id);
      return core::Ok();
    };
    Count(report, *record, one());
  }
  return report;
}

core::Result<SheetImportReport> ImportLastmileSheet(const std::string& path,
                                                    LastmileService& service,
                                                    const LastmileSheetOptions& options) {
  ASSIGN_OR_RETURN(Sheet sheet, Sheet::Open(path, "profiles/lastmile.json"));
  if (!sheet.Has("municipality_code") && options.municipality_code6.empty()) {
    return core::Fail(core::Code::kInvalidArgument,
                      "見出しに「市区町村コード」がありません（または市区町村を指定してください）",
                      "the header has no 市区町村コード (or name the municipality)", path);
  }
  SheetImportReport report;
  sheet.Describe(report);
  for (;;) {
    ASSIGN_OR_RETURN(const io::Record* record, sheet.Next());
    if (record == nullptr) break;
    if (record->error.empty() && IsBlank(*record)) continue;
    bool alert = false;
    auto one = [&]() -> core::Status {
      RETURN_IF_ERROR(RecordError(*record));
      LastmileEntry e;
      e.municipality_code6 = options.municipality_code6;
      if (const std::string code = sheet.Field(*record, "municipality_code"); !code.empty()) {
        if (options.only_this_municipality && code != options.municipality_code6) {
          return core::Fail(core::Code::kPermissionDenied,
                            "他の市区町村の行は記録できません",
                            "a row of another municipality cannot be recorded", code.substr(0, 12));
        }
        e.municipality_code6 = code;
      }
      e.ref = sheet.Field(*record, "ref");
      if (e.ref.empty()) {
        return core::Fail(core::Code::kInvalidArgument, "整理番号が空です", "the ref is empty");
      }
      e.on = options.today;
      if (const std::string on = sheet.Field(*record, "on"); !on.empty()) {
        ASSIGN_OR_RETURN(e.on, ParseSheetDate(on));
      }
      e.kind = sheet.Field(*record, "kind");
      e.note = sheet.Field(*record, "note");
      e.recorded_by = options.recorded_by;
      e.now_utc = options.now_utc;
      ASSIGN_OR_RETURN(LastmileOutcome outcome, service.Record(e));
      alert = outcome.alert.has_value();
      return core::Ok();
    };
    const core::Status status = one();
    if (status && alert) ++report.alerts;
    Count(report, *record, status);
  }
  return report;
}

}  // namespace ichigen::distribution
