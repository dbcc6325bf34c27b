#include "io/csv_reader.h"
#include "io/str_cat.h"

#include <algorithm>
#include <array>
#include <cstring>
#include <utility>
#include <vector>

namespace ichigen::io {
namespace {

constexpr std::string_view kBom = "\xEF\xBB\xBF";
constexpr std::string_view kReplacement = "\xEF\xBF\xBD";
constexpr size_t kRawTextCap = 4096;  // raw_text kept for a record that is skipped

// Bytes that end an unquoted run: the separator, a quote, a line end.
constexpr std::array<bool, 256> MakeSpecial() {
  std::array<bool, 256> table{};
  table[static_cast<unsigned char>(',')] = true;
  table[static_cast<unsigned char>('"')] = true;
  table[static_cast<unsigned char>('\r')] = true;
  table[static_cast<unsigned char>('\n')] = true;
  return table;
}
constexpr std::array<bool, 256> kSpecial = MakeSpecial();

class CsvReader final : public RecordReader {
 public:
  CsvReader(std::unique_ptr<ByteSource> source, std::string prefix, Encoding encoding,
            std::unique_ptr<Decoder> decoder, const ReaderOptions& options,
            size_t chunk_bytes)
      : source_(std::move(source)),
        prefix_(std::move(prefix)),
        encoding_(encoding),
        decoder_(std::move(decoder)),
        options_(options),
        chunk_bytes_(std::max<size_t>(chunk_bytes, 1)) {}

  core::Result<const Record*> Next() override {
    for (;;) {
      record_start_ = pos_;
      ASSIGN_OR_RETURN(Outcome outcome, ParseRecord());
      if (outcome == Outcome::kEnd) return nullptr;
      if (outcome == Outcome::kRecord) {
        FlagUndecodable();
        return &record_;
      }
    }
  }
  FileFormat format() const override { return FileFormat::kCsv; }
  Encoding encoding() const override { return encoding_; }
  int64_t bytes_read() const override { return bytes_read_; }
  int64_t total_bytes() const override { return source_->size(); }

 private:
  enum class Outcome { kRecord, kBlank, kEnd };
  enum class State { kFieldStart, kUnquoted, kQuoted, kAfterQuote };

  // Appends decoded text; false when the source is exhausted. Text before
  // record_start_ is dropped first, so the buffer holds one record + a chunk.
  core::Result<bool> Refill() {
    if (source_done_) return false;
    if (record_start_ > 0) {
      text_.erase(0, record_start_);
      pos_ -= record_start_;
      seg_ -= record_start_;
      quote_open_ -= record_start_;
      record_start_ = 0;
    }
    std::string decoded;
    while (decoded.empty() && !source_done_) {
      if (!prefix_.empty()) {
        bytes_read_ += static_cast<int64_t>(prefix_.size());
        decoded = decoder_->Decode(prefix_, /*last=*/false);
        std::string().swap(prefix_);
        continue;
      }
      raw_.resize(chunk_bytes_);
      ASSIGN_OR_RETURN(size_t n, source_->Read(raw_.data(), chunk_bytes_));
      bytes_read_ += static_cast<int64_t>(n);
      if (n == 0) {
        decoded = decoder_->Decode({}, /*last=*/true);
        source_done_ = true;
      } else {
        decoded = decoder_->Decode(std::string_view(raw_.data(), n), /*last=*/false);
      }
    }
    text_.append(decoded);
    if (!bom_checked_ && (text_.size() >= kBom.size() || source_done_)) {
      bom_checked_ = true;
      if (text_.starts_with(kBom)) text_.erase(0, kBom.size());
    }
    return !decoded.empty() || pos_ < text_.size();
  }

  std::string& NewField() {
    std::vector<std::string>& fields = record_.fields;
    if (field_count_ < fields.size()) {
      fields[field_count_].clear();
    } else if (!spare_.empty()) {
      fields.push_back(std::move(spare_.back()));
      spare_.pop_back();
      fields.back().clear();
    } else {
      fields.emplace_back();
    }
    return fields[field_count_++];
  }

  void TrimFields() {
    std::vector<std::string>& fields = record_.fields;
    while (fields.size() > field_count_) {
      spare_.push_back(std::move(fields.back()));
      fields.pop_back();
    }
  }

  void SetError(std::string ja, std::string en) {
    if (!record_.error.empty()) return;  // the first problem is the one to fix
    record_.error = std::move(ja);
    record_.error_en = std::move(en);
  }

  int64_t FieldNumber() const { return static_cast<int64_t>(field_count_); }

  core::Result<Outcome> ParseRecord() {
    record_.line = line_;
    record_.error.clear();
    record_.error_en.clear();
    record_.undecodable = false;
    field_count_ = 0;
    while (pos_ >= text_.size()) {
      ASSIGN_OR_RETURN(bool more, Refill());
      if (!more) return Outcome::kEnd;
    }
    // A blank line carries no data and is not a record; it still counts as
    // a physical line.
    if (text_[pos_] == '\n' || text_[pos_] == '\r') {
      RETURN_IF_ERROR(ConsumeLineEnd(pos_));
      return Outcome::kBlank;
    }
    const int64_t max_field = options_.max_field_bytes;
    const int64_t max_quoted_lines = options_.max_quoted_lines;
    const int64_t max_record = options_.max_record_bytes;
    State state = State::kFieldStart;
    std::string* field = &NewField();
    for (;;) {
      switch (state) {
        case State::kFieldStart: {
          if (pos_ >= text_.size()) {
            ASSIGN_OR_RETURN(bool more, Refill());
            if (!more) return FinishAtEnd();
            continue;
          }
          if (text_[pos_] == '"') {
            quote_open_ = pos_;
            ++pos_;
            seg_ = pos_;
            quoted_lines_ = 0;
            state = State::kQuoted;
          } else {
            seg_ = pos_;
            state = State::kUnquoted;
          }
          break;
        }
        case State::kUnquoted: {
          const char* d = text_.data();
          const size_t n = text_.size();
          size_t p = pos_;
          for (;;) {
            while (p < n && !kSpecial[static_cast<unsigned char>(d[p])]) ++p;
            if (p < n && d[p] == '"') {
              SetError(StrCat(FieldNumber(), " 列目の途中に引用符 (\") があります"),
                       StrCat("stray quote inside unquoted field ", FieldNumber()));
              ++p;
              continue;
            }
            break;
          }
          if (static_cast<int64_t>(field->size() + (p - seg_)) > max_field ||
              static_cast<int64_t>(p - record_start_) > max_record) {
            pos_ = p;
            return SkipToLineEnd(
                StrCat(FieldNumber(), " 列目が長すぎます（", max_field, " バイト超）"),
                StrCat("field ", FieldNumber(), " is longer than ", max_field, " bytes"));
          }
          if (p == n) {
            pos_ = p;
            ASSIGN_OR_RETURN(bool more, Refill());
            if (!more) {
              field->append(text_, seg_, pos_ - seg_);
              return FinishAtEnd();
            }
            continue;
          }
          field->append(d + seg_, p - seg_);
          if (d[p] == ',') {
            pos_ = p + 1;
            if (static_cast<int64_t>(field_count_) >= options_.max_fields) {
              return SkipToLineEnd(
                  StrCat("列が多すぎます（", options_.max_fields, " 列超）"),
                  StrCat("more than ", options_.max_fields, " fields"));
            }
            field = &NewField();
            state = State::kFieldStart;
            break;
          }
          return EndOfLine(p);
        }
        case State::kQuoted: {
          const char* d = text_.data();
          const size_t n = text_.size();
          const void* quote = std::memchr(d + pos_, '"', n - pos_);
          const size_t p = quote ? static_cast<size_t>(static_cast<const char*>(quote) - d) : n;
          const auto newlines = std::count(d + pos_, d + p, '\n');
          quoted_lines_ += newlines;
          line_ += newlines;
          pos_ = p;
          if (quoted_lines_ > max_quoted_lines ||
              static_cast<int64_t>(field->size() + (p - seg_)) > max_field ||
              static_cast<int64_t>(p - record_start_) > max_record) {
            return Unterminated();
          }
          if (quote == nullptr) {
            ASSIGN_OR_RETURN(bool more, Refill());
            if (!more) return Unterminated();
            continue;
          }
          field->append(d + seg_, p - seg_);
          pos_ = p + 1;
          state = State::kAfterQuote;
          break;
        }
        case State::kAfterQuote: {
          if (pos_ >= text_.size()) {
            ASSIGN_OR_RETURN(bool more, Refill());
            if (!more) return FinishAtEnd();
            continue;
          }
          const char c = text_[pos_];
          if (c == '"') {  // "" inside quotes: the second quote is content
            seg_ = pos_;
            ++pos_;
            state = State::kQuoted;
          } else if (c == ',') {
            ++pos_;
            if (static_cast<int64_t>(field_count_) >= options_.max_fields) {
              return SkipToLineEnd(
                  StrCat("列が多すぎます（", options_.max_fields, " 列超）"),
                  StrCat("more than ", options_.max_fields, " fields"));
            }
            field = &NewField();
            state = State::kFieldStart;
          } else if (c == '\r' || c == '\n') {
            return EndOfLine(pos_);
          } else {
            SetError(StrCat(FieldNumber(), " 列目の閉じ引用符の後に文字があります"),
                     StrCat("text after the closing quote of field ", FieldNumber()));
            seg_ = pos_;  // keep the text: nothing the clerk typed is lost
            state = State::kUnquoted;
          }
          break;
        }
      }
    }
  }

  // `p` is the CR or LF that ends the record.
  core::Result<Outcome> EndOfLine(size_t p) {
    record_.raw_text.assign(text_, record_start_, p - record_start_);
    TrimFields();
    RETURN_IF_ERROR(ConsumeLineEnd(p));
    return Outcome::kRecord;
  }

  // Consumes the CR, LF or CRLF at `p` and counts the line.
  core::Status ConsumeLineEnd(size_t p) {
    const bool cr = text_[p] == '\r';
    pos_ = p + 1;
    ++line_;
    if (!cr) return core::Ok();
    if (pos_ >= text_.size()) {
      record_start_ = pos_;  // nothing before here is needed any more
      ASSIGN_OR_RETURN(bool more, Refill());
      if (!more) return core::Ok();
    }
    if (text_[pos_] == '\n') ++pos_;
    return core::Ok();
  }

  core::Result<Outcome> FinishAtEnd() {
    record_.raw_text.assign(text_, record_start_, pos_ - record_start_);
    TrimFields();
    return Outcome::kRecord;
  }

  // Marks the record and discards the rest of its physical line.
  core::Result<Outcome> SkipToLineEnd(std::string ja, std::string en) {
    SetError(std::move(ja), std::move(en));
    record_.raw_text.assign(text_, record_start_,
                            std::min(pos_ - record_start_, kRawTextCap));
    TrimFields();
    for (;;) {
      const char* d = text_.data();
      const size_t n = text_.size();
      const void* lf = pos_ < n ? std::memchr(d + pos_, '\n', n - pos_) : nullptr;
      if (lf != nullptr) {
        pos_ = static_cast<size_t>(static_cast<const char*>(lf) - d) + 1;
        ++line_;
        return Outcome::kRecord;
      }
      pos_ = n;
      record_start_ = n;
      seg_ = n;
      quote_open_ = n;
      ASSIGN_OR_RETURN(bool more, Refill());
      if (!more) return Outcome::kRecord;
    }
  }

  // A quoted field that never closes (or runs past the limits): the record is
  // the line holding the opening quote, and reading resumes at the line
  // after it, so the rest of the file is not swallowed.
  core::Result<Outcome> Unterminated() {
    std::string ja = StrCat(FieldNumber(), " 列目の引用符が閉じられていません。この行を読み飛ばし、次の行から読み直しました");
    std::string en = StrCat("unterminated quote in field ", FieldNumber(), "; skipped this line and resumed at the next");
    const char* d = text_.data();
    const int64_t quote_line =
        record_.line + std::count(d + record_start_, d + quote_open_, '\n');
    const void* lf = std::memchr(d + quote_open_, '\n', text_.size() - quote_open_);
    if (lf == nullptr) {
      line_ = quote_line;
      pos_ = text_.size();
      return SkipToLineEnd(std::move(ja), std::move(en));
    }
    size_t end = static_cast<size_t>(static_cast<const char*>(lf) - d);
    pos_ = end + 1;
    line_ = quote_line + 1;
    if (end > quote_open_ && d[end - 1] == '\r') --end;
    SetError(std::move(ja), std::move(en));
    record_.fields[field_count_ - 1].assign(d + quote_open_ + 1, end - quote_open_ - 1);
    record_.raw_text.assign(text_, record_start_, end - record_start_);
    TrimFields();
    return Outcome::kRecord;
  }

  // Bytes the decoder could not read became U+FFFD; the record says so.
  void FlagUndecodable() {
    if (decoder_->invalid_sequences() == 0 || !record_.error.empty()) return;
    if (record_.raw_text.find(kReplacement) == std::string::npos) return;
    record_.undecodable = true;
    SetError(StrCat("文字コード ", EncodingName(encoding_), " として読めないバイトがあります"),
             StrCat("bytes that are not valid ", EncodingName(encoding_)));
  }

  std::unique_ptr<ByteSource> source_;
  std::string prefix_;
  Encoding encoding_;
  std::unique_ptr<Decoder> decoder_;
  ReaderOptions options_;
  size_t chunk_bytes_;

  std::string raw_;   // the undecoded chunk
  std::string text_;  // decoded text from record_start_ on
  size_t pos_ = 0;    // next byte to parse
  size_t record_start_ = 0;
  size_t seg_ = 0;         // start of the field text not yet appended
  size_t quote_open_ = 0;  // the opening quote of the current quoted field
  int64_t quoted_lines_ = 0;
  int64_t line_ = 1;       // physical line of pos_
  bool source_done_ = false;
  bool bom_checked_ = false;
  int64_t bytes_read_ = 0;

  Record record_;
  size_t field_count_ = 0;
  std::vector<std::string> spare_;  // field strings kept for reuse
};

}  // namespace

core::Result<std::unique_ptr<RecordReader>> OpenCsvReader(std::unique_ptr<ByteSource> source,
                                                          std::string prefix,
                                                          Encoding encoding,
                                                          const ReaderOptions& options,
                                                          size_t chunk_bytes) {
  ASSIGN_OR_RETURN(std::unique_ptr<Decoder> decoder, Decoder::Create(encoding));
  return std::make_unique<CsvReader>(std::move(source), std::move(prefix), encoding,
                                     std::move(decoder), options, chunk_bytes);
}

}  // namespace ichigen::io
