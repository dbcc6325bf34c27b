#include "synth/row_forms.h"

#include <array>

namespace ichigen::synth {
namespace {

constexpr std::array<std::string_view, 3> kNameSeparators = {"　", " ", ""};

void AppendSeparatedKana(const Person& person, int form, std::string& out) {
  const std::string_view family = person.surname->reading;
  const std::string_view given = person.given->reading;
  switch (form) {
    case 0:
      out.append(family), out.append("　"), out.append(given);
      return;
    case 1:
      out.append(family), out.append(given);
      return;
    case 2:
      AppendHiragana(family, out), out.append(" "), AppendHiragana(given, out);
      return;
    default:
      AppendHalfWidthKana(family, out), out.push_back(' '), AppendHalfWidthKana(given, out);
      return;
  }
}

}  // namespace

FileStyle ChooseFileStyle(Rng& rng, const SynthOptions& options) {
  FileStyle style;
  // Event dates are mostly Western; birth dates lean to 和暦 as clerks write them.
  constexpr std::array<DateStyle, 8> kEventDates = {
      DateStyle::kSlash, DateStyle::kSlash, DateStyle::kSlashPadded, DateStyle::kIso,
      DateStyle::kCompact, DateStyle::kKanji, DateStyle::kWareki, DateStyle::kWarekiShort};
  constexpr std::array<DateStyle, 6> kBirthDates = {
      DateStyle::kWareki, DateStyle::kWarekiShort, DateStyle::kSlash,
      DateStyle::kSlashPadded, DateStyle::kIso, DateStyle::kWareki};
  style.date = kEventDates[rng.Below(kEventDates.size())];
  style.birth_date = kBirthDates[rng.Below(kBirthDates.size())];
  style.sex_code = static_cast<int>(rng.Below(4));
  style.name_separator = static_cast<int>(rng.Below(3));
  style.kana_form = static_cast<int>(rng.Below(4));
  style.age_suffix = rng.Chance(0.3);
  style.consent_form = static_cast<int>(rng.Below(3));
  style.phone = rng.Chance(0.6) ? PhoneStyle::kHyphen
                                : static_cast<PhoneStyle>(rng.Below(kPhoneStyleCount));
  style.address = static_cast<AddressStyle>(rng.Below(kAddressStyleCount));
  style.csv.encoding = options.encoding;
  style.csv.crlf = rng.Chance(0.85);
  style.csv.quote_all = rng.Chance(0.2);
  return style;
}

std::string_view PickHeader(std::span<const std::string_view> synonyms, HeaderStyle style,
                            Rng& rng) {
  if (style == HeaderStyle::kCanonical) return synonyms.front();
  return synonyms[rng.Below(synonyms.size())];
}

void AppendName(const Person& person, const FileStyle& style, Rng& rng, std::string& out) {
  const int separator =
      rng.Chance(kRowVariation) ? static_cast<int>(rng.Below(3)) : style.name_separator;
  out.append(person.surname->surface);
  out.append(kNameSeparators[static_cast<size_t>(separator)]);
  out.append(person.given->surface);
}

void AppendKana(const Person& person, const FileStyle& style, Rng& rng, std::string& out) {
  const int form = rng.Chance(kRowVariation) ? static_cast<int>(rng.Below(4)) : style.kana_form;
  AppendSeparatedKana(person, form, out);
}

void AppendSex(Sex sex, const FileStyle& style, std::string& out) {
  const bool male = sex == Sex::kMale;
  switch (style.sex_code) {
    case 0: out.append(male ? "男" : "女"); return;
    case 1: out.append(male ? "男性" : "女性"); return;
    case 2: out.append(male ? "M" : "F"); return;
    default: out.append(male ? "1" : "2"); return;
  }
}

void AppendVariedDate(core::Date date, DateStyle usual, Rng& rng, std::string& out) {
  const DateStyle style = rng.Chance(kRowVariation)
                              ? static_cast<DateStyle>(rng.Below(kDateStyleCount))
                              : usual;
  AppendDate(date, style, out);
}

void AppendVariedPhone(const PhoneNumber& phone, const FileStyle& style, Rng& rng,
                       std::string& out) {
  const PhoneStyle s = rng.Chance(0.15) ? static_cast<PhoneStyle>(rng.Below(kPhoneStyleCount))
                                        : style.phone;
  AppendPhone(phone, s, out);
}

void AppendVariedAddress(const Places& places, const Address& address, const FileStyle& style,
                         Rng& rng, std::string& out) {
  const AddressStyle s = rng.Chance(0.2)
                             ? static_cast<AddressStyle>(rng.Below(kAddressStyleCount))
                             : style.address;
  places.AppendAddress(address, s, out);
}

void AppendBadId(int64_t id, int which, std::string& out) {
  switch (which % 4) {
    case 0: AppendPadded(id % 100000, 5, out); return;             // 5 digits
    case 1: AppendPadded(id % 100000000, 8, out), out.push_back('7'); return;  // 9 digits
    case 2: out.append("A"), AppendPadded(id % 1000000, 6, out); return;      // a letter
    default:
      AppendPadded(id / 10000 % 1000, 3, out), out.push_back('-');
      AppendPadded(id % 10000, 4, out);
      return;
  }
}

void AppendImpossibleDate(core::Date near, int which, std::string& out) {
  const int year = near.ToYmd().year;
  switch (which % 4) {
    case 0: AppendInt(year, out), out.append("/2/30"); return;
    case 1: AppendInt(year, out), out.append("-04-31"); return;
    case 2: {
      // 和暦 with the same impossible day.
      std::string western;
      AppendDate(core::Date::FromYmd(year, 2, 1).value_or(near), DateStyle::kWareki, western);
      out.append(western.substr(0, western.find("年") + 3)), out.append("2月30日");
      return;
    }
    default: AppendInt(year, out), out.append("0631"); return;
  }
}

void AppendStrayQuoteName(const Person& person, std::string& out) {
  out.push_back('"'), out.append(person.surname->surface), out.push_back('"');
  out.append(person.given->surface);
}

core::Status WriteTitleRows(TableSink& sink, int count, std::string_view label, core::Date date,
                            int64_t rows) {
  for (int i = 0; i < count; ++i) {
    std::string line;
    if (i == 0) {
      AppendDate(date, DateStyle::kWareki, line);
      line.append(" "), line.append(label), line.append(" 出力");
    } else if (i == 2) {
      line.append("出力件数："), AppendInt(rows, line), line.append("件");
    }
    RETURN_IF_ERROR(sink.WriteTitle(line));
  }
  return core::Ok();
}

core::Result<TruthWriter> TruthWriter::Open(const std::string& path, bool identity_columns) {
  TruthWriter writer;
  if (path.empty()) return writer;
  ASSIGN_OR_RETURN(writer.sink_,
                   OpenCsvSink(path, CsvStyle{io::Encoding::kUtf8, false, false}));
  writer.identity_columns_ = identity_columns;
  std::vector<std::string> header = {"line", "hersys_id", "person_id", "expected", "reason_kind"};
  if (identity_columns) header.insert(header.end(), {"row_kind", "noise"});
  writer.fields_.resize(header.size());
  RETURN_IF_ERROR(writer.sink_->WriteRow(header));
  return writer;
}

core::Status TruthWriter::Write(int64_t line, int64_t hersys_id, int64_t person_id, bool accept,
                                std::string_view reason, std::string_view row_kind,
                                std::string_view noise) {
  if (!sink_) return core::Ok();
  for (std::string& field : fields_) field.clear();
  AppendInt(line, fields_[0]);
  if (hersys_id != 0 || !identity_columns_) AppendInt(hersys_id, fields_[1]);
  if (person_id != 0 || !identity_columns_) AppendInt(person_id, fields_[2]);
  fields_[3] = accept ? "accept" : "reject";
  fields_[4] = reason;
  if (identity_columns_) {
    fields_[5] = row_kind;
    fields_[6] = noise;
  }
  return sink_->WriteRow(fields_);
}

core::Status TruthWriter::Close() {
  if (!sink_) return core::Ok();
  return sink_->Close();
}

}  // namespace ichigen::synth
