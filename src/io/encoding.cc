#include "io/encoding.h"

#include "core/utf8.h"
#include "io/str_cat.h"

#include <unicode/ucnv.h>
#include <unicode/ucnv_cb.h>
#include <unicode/utf16.h>
#include <unicode/utf8.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <vector>

namespace ichigen::io {
namespace {

// ICU's ibm-943_P15A-2003 is the table ICU registers under "windows-31j",
// "ms932", "cp932" and "Shift_JIS": it is Microsoft's cp932 (0x8160 → U+FF5E,
// 0x817C → U+FF0D, NEC row 13 and the IBM extensions). ibm-943_P130-1999
// is the JIS-flavoured one (0x8160 → U+301C) and would break round trips
// with Excel. Named exactly so an alias table change cannot swap it.
constexpr const char* kCp932Converter = "ibm-943_P15A-2003";

struct ConverterCloser {
  void operator()(UConverter* converter) const { ucnv_close(converter); }
};
// The one RAII owner of a UConverter*.
using ConverterPtr = std::unique_ptr<UConverter, ConverterCloser>;

// ICU hands out code points as UChar32.
void AppendUtf8(std::string& out, UChar32 c) { core::AppendUtf8(out, static_cast<char32_t>(c)); }

core::Result<ConverterPtr> OpenConverter(const char* name) {
  UErrorCode status = U_ZERO_ERROR;
  ConverterPtr converter(ucnv_open(name, &status));
  if (U_FAILURE(status) || !converter) {
    return core::Fail(core::Code::kInternal,
                      StrCat("文字コード変換器 ", name, " を開けません"),
                      StrCat("cannot open ICU converter ", name, ": ", u_errorName(status)));
  }
  return converter;
}


// Length of the valid UTF-8 sequence at s[i], 0 if invalid, -1 if it is a
// valid prefix cut off by the end of the buffer.
int Utf8SequenceLength(const unsigned char* s, size_t i, size_t n) {
  const unsigned char b = s[i];
  int len;
  unsigned char lo = 0x80, hi = 0xBF;
  if (b < 0x80) return 1;
  if (b >= 0xC2 && b <= 0xDF) {
    len = 2;
  } else if (b >= 0xE0 && b <= 0xEF) {
    len = 3;
    if (b == 0xE0) lo = 0xA0;
    if (b == 0xED) hi = 0x9F;  // no surrogates
  } else if (b >= 0xF0 && b <= 0xF4) {
    len = 4;
    if (b == 0xF0) lo = 0x90;
    if (b == 0xF4) hi = 0x8F;
  } else {
    return 0;
  }
  for (int k = 1; k < len; ++k) {
    if (i + k >= n) return -1;
    const unsigned char c = s[i + k];
    if (c < (k == 1 ? lo : 0x80) || c > (k == 1 ? hi : 0xBF)) return 0;
  }
  return len;
}

// UTF-8 passes through after validation; the common all-ASCII stretch is
// copied eight bytes at a time.
class Utf8Decoder final : public Decoder {
 public:
  std::string Decode(std::string_view bytes, bool last) override {
    std::string input;
    std::string_view in = bytes;
    if (!pending_.empty()) {
      input = pending_;
      input.append(bytes);
      pending_.clear();
      in = input;
    }
    std::string out;
    out.reserve(in.size());
    const auto* s = reinterpret_cast<const unsigned char*>(in.data());
    const size_t n = in.size();
    size_t i = 0;
    size_t run_start = 0;
    while (i < n) {
      while (i + 8 <= n) {
        uint64_t word;
        std::memcpy(&word, s + i, 8);
        if (word & 0x8080808080808080ULL) break;
        i += 8;
      }
      if (i >= n) break;
      if (s[i] < 0x80) {
        ++i;
        continue;
      }
      const int len = Utf8SequenceLength(s, i, n);
      if (len > 0) {
        i += static_cast<size_t>(len);
        continue;
      }
      out.append(in.data() + run_start, i - run_start);
      if (len < 0 && !last) {
        pending_.assign(in.data() + i, n - i);
        return out;
      }
      // An invalid byte (or a cut-off sequence at the very end) is one U+FFFD.
      out.append("\xEF\xBF\xBD");
      ++invalid_;
      if (len < 0) {
        i = n;
      } else {
        ++i;
      }
      run_start = i;
    }
    out.append(in.data() + run_start, n - run_start);
    return out;
  }
  int64_t invalid_sequences() const override { return invalid_; }

 private:
  std::string pending_;
  int64_t invalid_ = 0;
};

// Counts each illegal or unassigned sequence and writes U+FFFD for it.
void CountingToUCallback(const void* context, UConverterToUnicodeArgs* args,
                         const char*, int32_t, UConverterCallbackReason reason,
                         UErrorCode* status) {
  if (reason > UCNV_IRREGULAR) return;  // reset, close, clone: nothing to do
  ++*static_cast<int64_t*>(const_cast<void*>(context));
  *status = U_ZERO_ERROR;
  static constexpr UChar kReplacement[] = {0xFFFD};
  ucnv_cbToUWriteUChars(args, kReplacement, 1, 0, status);
}

class Cp932Decoder final : public Decoder {
 public:
  explicit Cp932Decoder(ConverterPtr converter) : converter_(std::move(converter)) {
    UErrorCode status = U_ZERO_ERROR;
    ucnv_setToUCallBack(converter_.get(), CountingToUCallback, &invalid_, nullptr,
                        nullptr, &status);
  }
  std::string Decode(std::string_view bytes, bool last) override {
    std::string out;
    out.reserve(bytes.size() + bytes.size() / 2);
    const char* source = bytes.data();
    const char* source_end = source + bytes.size();
    std::array<UChar, 16384> buffer;
    for (;;) {
      UChar* target = buffer.data();
      UErrorCode status = U_ZERO_ERROR;
      ucnv_toUnicode(converter_.get(), &target, buffer.data() + buffer.size(), &source,
                     source_end, nullptr, last, &status);
      const int32_t produced = static_cast<int32_t>(target - buffer.data());
      AppendUtf16(out, buffer.data(), produced);
      if (status != U_BUFFER_OVERFLOW_ERROR) break;
    }
    return out;
  }
  int64_t invalid_sequences() const override { return invalid_; }

 private:
  void AppendUtf16(std::string& out, const UChar* s, int32_t n) {
    int32_t i = 0;
    if (high_surrogate_ != 0 && n > 0) {
      if (U16_IS_TRAIL(s[0])) {
        AppendUtf8(out, U16_GET_SUPPLEMENTARY(high_surrogate_, s[0]));
        i = 1;
      } else {
        AppendUtf8(out, 0xFFFD);
      }
      high_surrogate_ = 0;
    }
    for (; i < n; ++i) {
      const UChar c = s[i];
      if (c < 0x80) {
        out.push_back(static_cast<char>(c));
      } else if (U16_IS_LEAD(c)) {
        if (i + 1 == n) {
          high_surrogate_ = c;  // its pair comes with the next buffer
        } else if (U16_IS_TRAIL(s[i + 1])) {
          AppendUtf8(out, U16_GET_SUPPLEMENTARY(c, s[i + 1]));
          ++i;
        } else {
          AppendUtf8(out, 0xFFFD);
        }
      } else {
        AppendUtf8(out, U16_IS_TRAIL(c) ? 0xFFFD : c);
      }
    }
  }

  ConverterPtr converter_;
  int64_t invalid_ = 0;
  UChar high_surrogate_ = 0;
};

// Code points other sources use where cp932 has a look-alike, mapped as
// Windows' best-fit table for code page 932 does. Without this, 〜 typed on
// a Mac (U+301C) or − from a web form (U+2212) could not be written.
UChar32 BestFitCp932(UChar32 c) {
  switch (c) {
    case 0x301C: return 0xFF5E;  // WAVE DASH → FULLWIDTH TILDE (0x8160)
    case 0x2212: return 0xFF0D;  // MINUS SIGN → FULLWIDTH HYPHEN-MINUS (0x817C)
    case 0x2016: return 0x2225;  // DOUBLE VERTICAL LINE → PARALLEL TO (0x8161)
    case 0x2014: return 0x2015;  // EM DASH → HORIZONTAL BAR (0x815C)
    case 0x00A2: return 0xFFE0;  // CENT SIGN → FULLWIDTH (0x8191)
    case 0x00A3: return 0xFFE1;  // POUND SIGN → FULLWIDTH (0x8192)
    case 0x00AC: return 0xFFE2;  // NOT SIGN → FULLWIDTH (0x81CA)
    case 0x00A6: return 0xFFE4;  // BROKEN BAR → FULLWIDTH (0xFA55)
    case 0x00A5: return 0x005C;  // YEN SIGN → 0x5C, shown as ¥ by Japanese fonts
    case 0x203E: return 0x007E;  // OVERLINE → 0x7E
    case 0x00A0: return 0x0020;  // NO-BREAK SPACE → SPACE
    case 0x00B7: return 0x30FB;  // MIDDLE DOT → KATAKANA MIDDLE DOT (0x8145)
    case 0x2011: return 0x2010;  // NON-BREAKING HYPHEN → HYPHEN (0x815D)
    default: return c;
  }
}

struct FromUContext {
  bool substitute = false;
  int64_t substituted = 0;
  UChar32 first_unmappable = -1;
};

// Substitutes 〓 (ゲタ, 0x81AC, the customary Japanese stand-in) and counts,
// or records the first unmappable character and stops.
void SubstitutingFromUCallback(const void* raw, UConverterFromUnicodeArgs* args,
                               const UChar*, int32_t, UChar32 code_point,
                               UConverterCallbackReason reason, UErrorCode* status) {
  if (reason > UCNV_IRREGULAR) return;
  auto* context = static_cast<FromUContext*>(const_cast<void*>(raw));
  if (!context->substitute) {
    if (context->first_unmappable < 0) context->first_unmappable = code_point;
    return;  // *status stays an error: conversion stops here
  }
  ++context->substituted;
  *status = U_ZERO_ERROR;
  ucnv_cbFromUWriteBytes(args, "\x81\xAC", 2, 0, status);
}

}  // namespace

std::string_view EncodingName(Encoding encoding) {
  switch (encoding) {
    case Encoding::kUtf8: return "utf-8";
    case Encoding::kUtf8Bom: return "utf-8-bom";
    case Encoding::kCp932: return "cp932";
  }
  return "utf-8";
}

core::Result<Encoding> ParseEncodingName(std::string_view name) {
  std::string lower(name);
  std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) {
    return static_cast<char>(c == '_' ? '-' : std::tolower(c));
  });
  if (lower == "utf-8" || lower == "utf8") return Encoding::kUtf8;
  if (lower == "utf-8-bom" || lower == "utf8-bom" || lower == "utf-8-sig") {
    return Encoding::kUtf8Bom;
  }
  if (lower == "cp932" || lower == "sjis" || lower == "shift-jis" || lower == "ms932" ||
      lower == "windows-31j" || lower == "shiftjis") {
    return Encoding::kCp932;
  }
  return core::Fail(core::Code::kInvalidArgument,
                    StrCat("文字コード「", name, "」は扱えません（utf-8, utf-8-bom, cp932）"),
                    StrCat("unknown encoding '", name, "' (use utf-8, utf-8-bom or cp932)"));
}

Encoding DetectEncoding(std::string_view sample) {
  constexpr size_t kSampleBytes = 64 * 1024;
  if (sample.size() > kSampleBytes) sample = sample.substr(0, kSampleBytes);
  if (sample.starts_with("\xEF\xBB\xBF")) return Encoding::kUtf8Bom;
  const auto* s = reinterpret_cast<const unsigned char*>(sample.data());
  const size_t n = sample.size();
  bool non_ascii = false;
  int64_t utf8_invalid = 0;
  for (size_t i = 0; i < n;) {
    if (s[i] < 0x80) {
      ++i;
      continue;
    }
    non_ascii = true;
    const int len = Utf8SequenceLength(s, i, n);
    if (len < 0) break;  // cut off by the sample's end: still UTF-8
    if (len == 0) {
      ++utf8_invalid;
      ++i;
      continue;
    }
    i += static_cast<size_t>(len);
  }
  if (!non_ascii || utf8_invalid == 0) return Encoding::kUtf8;
  // Not clean UTF-8: CP932 when it explains the bytes better. A file saved
  // by Excel may still hold a few bytes that are not CP932 either (a broken
  // row), so the encoding with fewer undecodable sequences wins. The last
  // byte may be a lead byte whose trail was cut by the sample, so the
  // decoder is not flushed.
  auto decoder = Decoder::Create(Encoding::kCp932);
  if (decoder.has_value()) {
    (void)(*decoder)->Decode(sample, /*last=*/false);
    if ((*decoder)->invalid_sequences() < utf8_invalid) return Encoding::kCp932;
  }
  return Encoding::kUtf8;
}

core::Result<std::unique_ptr<Decoder>> Decoder::Create(Encoding encoding) {
  if (encoding != Encoding::kCp932) return std::make_unique<Utf8Decoder>();
  ASSIGN_OR_RETURN(ConverterPtr converter, OpenConverter(kCp932Converter));
  return std::make_unique<Cp932Decoder>(std::move(converter));
}

struct Cp932Encoder::Impl {
  ConverterPtr converter;
  std::vector<UChar> utf16;
};

Cp932Encoder::Cp932Encoder(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Cp932Encoder::~Cp932Encoder() = default;
Cp932Encoder::Cp932Encoder(Cp932Encoder&&) noexcept = default;
Cp932Encoder& Cp932Encoder::operator=(Cp932Encoder&&) noexcept = default;

core::Result<Cp932Encoder> Cp932Encoder::Create() {
  ASSIGN_OR_RETURN(ConverterPtr converter, OpenConverter(kCp932Converter));
  auto impl = std::make_unique<Impl>();
  impl->converter = std::move(converter);
  return Cp932Encoder(std::move(impl));
}

std::string_view Cp932Encoder::ConverterName() { return kCp932Converter; }

core::Status Cp932Encoder::Encode(std::string_view utf8, bool substitute, std::string& out,
                                  int64_t* substituted) {
  // Fast path: ASCII is the same bytes in cp932.
  size_t ascii = 0;
  while (ascii < utf8.size() && static_cast<unsigned char>(utf8[ascii]) < 0x80) ++ascii;
  out.append(utf8.data(), ascii);
  if (ascii == utf8.size()) return core::Ok();
  utf8.remove_prefix(ascii);

  std::vector<UChar>& utf16 = impl_->utf16;
  utf16.clear();
  const auto* s = reinterpret_cast<const uint8_t*>(utf8.data());
  const int32_t n = static_cast<int32_t>(utf8.size());
  for (int32_t i = 0; i < n;) {
    UChar32 c;
    U8_NEXT(s, i, n, c);
    if (c < 0) c = 0xFFFD;  // ill-formed UTF-8; cp932 has no U+FFFD either
    c = BestFitCp932(c);
    if (U_IS_BMP(c)) {
      utf16.push_back(static_cast<UChar>(c));
    } else {
      utf16.push_back(U16_LEAD(c));
      utf16.push_back(U16_TRAIL(c));
    }
  }

  UConverter* cnv = impl_->converter.get();
  FromUContext context{substitute};
  UErrorCode status = U_ZERO_ERROR;
  ucnv_setFromUCallBack(cnv, SubstitutingFromUCallback, &context, nullptr, nullptr,
                        &status);
  ucnv_resetFromUnicode(cnv);
  const UChar* source = utf16.data();
  const UChar* source_end = source + utf16.size();
  std::array<char, 16384> buffer;
  for (;;) {
    char* target = buffer.data();
    status = U_ZERO_ERROR;
    ucnv_fromUnicode(cnv, &target, buffer.data() + buffer.size(), &source, source_end,
                     nullptr, /*flush=*/true, &status);
    out.append(buffer.data(), static_cast<size_t>(target - buffer.data()));
    if (status != U_BUFFER_OVERFLOW_ERROR) break;
  }
  if (substituted != nullptr) *substituted += context.substituted;
  if (context.first_unmappable >= 0) {
    std::string shown;
    AppendUtf8(shown, context.first_unmappable);
    return core::Fail(
        core::Code::kInvalidArgument,
        StrCat("文字「", shown, "」(", CodePointName(static_cast<char32_t>(context.first_unmappable)),
               ") は Shift_JIS (CP932) で書けません"),
        StrCat("character ", CodePointName(static_cast<char32_t>(context.first_unmappable)),
               " cannot be written in CP932"));
  }
  if (U_FAILURE(status)) {
    return core::Fail(core::Code::kInternal, "CP932 への変換に失敗しました",
                      StrCat("CP932 conversion failed: ", u_errorName(status)));
  }
  return core::Ok();
}

core::Result<std::string> EncodeCp932(std::string_view utf8, bool substitute) {
  ASSIGN_OR_RETURN(Cp932Encoder encoder, Cp932Encoder::Create());
  std::string out;
  RETURN_IF_ERROR(encoder.Encode(utf8, substitute, out, nullptr));
  return out;
}

core::Result<std::string> DecodeCp932(std::string_view bytes) {
  ASSIGN_OR_RETURN(std::unique_ptr<Decoder> decoder, Decoder::Create(Encoding::kCp932));
  return decoder->Decode(bytes, /*last=*/true);
}

}  // namespace ichigen::io
